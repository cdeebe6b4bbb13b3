"""How a compiled script ends: the exit codes `ftspec run` relies on.

0 and 1 are the script's own verdicts (eval.py: accepted, or a criterion failed); anything
that stops it early is 2, with a one-line message, or the traceback then a line saying the
script failed (a bug, a library error). So a crash can never read as "acceptance failed".
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from pathlib import Path


def run(main: Callable[[], int], script: str) -> int:
    name = Path(script).name
    try:
        return main()
    except SystemExit as exc:  # our own stops carry their message
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        print(exc.code, file=sys.stderr, flush=True)
        return 2
    except KeyboardInterrupt:
        print(f"ftspec: {name} interrupted", file=sys.stderr, flush=True)
        return 130
    except Exception as exc:  # noqa: BLE001 - reported in full, then a clear last line
        traceback.print_exc()
        print(f"ftspec: {name} failed: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        return 2
