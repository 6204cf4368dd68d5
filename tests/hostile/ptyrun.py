"""Run a command on a real pseudo-terminal, so tools behave as they do for a person.

Rich and click only draw progress bars and colours when they see a terminal;
output meant for a terminal is where an escape sequence from a feed would do
harm. Bounded in time: a command still running at the deadline is killed.
"""

from __future__ import annotations

import os
import pty
import select
import signal
import sys
import time
from collections.abc import Sequence


def run_on_pty(args: Sequence[str], *, env: dict[str, str] | None = None,
               timeout: float = 60.0, cwd: str | None = None) -> tuple[int, bytes]:
    """(exit status, everything written to the terminal) of ``python -m digest ARGS``."""
    argv = [sys.executable, "-m", "digest", *args]
    full_env = {**os.environ, "COLUMNS": "120", "LINES": "40", "TERM": "xterm-256color",
                **(env or {})}
    full_env.pop("NO_COLOR", None)
    pid, fd = pty.fork()
    if pid == 0:  # the child: become the command
        try:
            if cwd:
                os.chdir(cwd)
            os.execve(argv[0], argv, full_env)
        finally:
            os._exit(127)
    out = bytearray()
    deadline = time.monotonic() + timeout
    status: int | None = None
    try:
        while True:
            if select.select([fd], [], [], 0.1)[0]:
                try:
                    data = os.read(fd, 65536)
                except OSError:  # EIO: every writer has closed the terminal
                    data = b""
                if not data:
                    break
                out += data
                continue
            if status is None:
                done, raw = os.waitpid(pid, os.WNOHANG)
                if done:
                    status = raw
            if status is not None:
                break  # exited, and a tenth of a second without more output
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                break
    finally:
        os.close(fd)
    if status is None:
        status = os.waitpid(pid, 0)[1]
    return os.waitstatus_to_exitcode(status), bytes(out)
