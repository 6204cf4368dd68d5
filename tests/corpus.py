"""Where the shared feed corpus is: ``../shared/corpus``, or ``DIGEST_CORPUS``."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("DIGEST_CORPUS") or REPO.parent / "shared" / "corpus")
