"""ftspec: a declarative spec compiler for LLM fine-tuning.

The pipeline runs one way, one package per stage:
syntax -> spec -> rules -> (data -> compile -> run). See ARCHITECTURE.md.
"""

__version__ = "0.1.0"

# The spec language version this release reads (`ftspec 1` on the first line).
LANGUAGE_VERSION = 1
