"""Real kill -9 in the middle of a write, for the write-transaction tests.

`HOOKS` is Python source for a subprocess: it wraps `os.replace` and `os.fsync` so that the
process sends itself SIGKILL at the moment named by `sys.argv[1]`: "between-renames" (after the
first data file is renamed into place) or "writing-temp" (while a data file's temporary file is
synced; not the working folder's .gitignore, say). Each test appends what the process then runs.
"""

from __future__ import annotations

import textwrap

HOOKS = textwrap.dedent(
    """
    import os, signal, sys

    moment = sys.argv[1]
    real_replace, real_fsync = os.replace, os.fsync
    seen = {"replace": 0}

    def replace(src, dst):
        real_replace(src, dst)
        if str(dst).endswith(".yaml"):
            seen["replace"] += 1
            if moment == "between-renames" and seen["replace"] == 1:
                os.kill(os.getpid(), signal.SIGKILL)

    def fsync(fd):
        if moment == "writing-temp" and ".yaml." in os.readlink(f"/proc/self/fd/{fd}"):
            os.kill(os.getpid(), signal.SIGKILL)
        real_fsync(fd)

    os.replace, os.fsync = replace, fsync
    """
)
