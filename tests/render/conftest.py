from __future__ import annotations

from pathlib import Path

import pytest

from digest.archive import save_issue
from digest.config import Project, load_project
from digest.model import Issue
from tests.render.sample import issue_340

CONFIG = """\
title = "Django News"
description = "News and links for the Django community."
theme = "django-news"
output = "site"

[[sections]]
id = "news"
title = "News"
key = "n"

[[sections]]
id = "articles"
title = "Articles"
key = "a"
"""


def make_project(
    root: Path, top: str = "", tables: str = "", issues: tuple[Issue, ...] = ()
) -> Project:
    """A project folder; ``top`` goes before the config's tables, ``tables`` after."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "digest.toml").write_text(top + CONFIG + tables, "utf-8")
    project = load_project(root)
    for issue in issues:
        save_issue(project, issue)
    return project


@pytest.fixture
def issue340() -> Issue:
    return issue_340()


@pytest.fixture
def project(tmp_path: Path, issue340: Issue) -> Project:
    """A newsletter project with the seed's Issue 340 saved in issues/340.toml."""
    return make_project(tmp_path / "news", issues=(issue340,))
