"""Stage 2: syntax tree -> typed, defaulted, positioned `Spec`."""

from ftspec.spec.build import build
from ftspec.spec.model import Spec

__all__ = ["Spec", "build"]
