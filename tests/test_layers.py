"""The core never imports the UI: checked in a fresh interpreter per module.

(click itself may appear: httpx imports it for its own command line.)
"""

from __future__ import annotations

import subprocess
import sys

import pytest

CORE = [
    "digest.model", "digest.config", "digest.store", "digest.archive", "digest.curate",
    "digest.session", "digest.ingest", "digest.textclean", "digest.feeds.parse",
    "digest.feeds.fetch", "digest.feeds.opml", "digest.feeds.urls", "digest.render",
]


@pytest.mark.parametrize("module", CORE)
def test_core_module_imports_no_ui(module: str) -> None:
    code = (
        f"import importlib, sys; importlib.import_module({module!r}); "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'textual' "
        "or m.startswith('digest.tui') or m == 'digest.cli'); print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"{module} pulls in {out.stdout.strip()}"
