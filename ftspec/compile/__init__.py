"""Stage 5: spec -> build folder (train.py, eval.py, ftspec.lock.json), written atomically."""

from ftspec.compile.build import CompileError, compile_spec

__all__ = ["CompileError", "compile_spec"]
