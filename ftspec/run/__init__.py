"""Stage 6: `ftspec run` = compile when needed, then train and evaluate as subprocesses."""

from ftspec.run.runner import RunError, run

__all__ = ["RunError", "run"]
