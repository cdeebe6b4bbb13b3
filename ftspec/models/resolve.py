"""What a spec's `model.base` names, decided without loading anything (lint and compile
use it): a local folder, a GGUF file, an offline alias, or a hub id."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ftspec.models import cache
from ftspec.models.registry import Offline, find, names


@dataclass(frozen=True)
class Where:
    kind: str  # "local" (a folder), "gguf" (a file), "alias" (offline, pulled into the cache), "hub"
    value: str  # the absolute path, the alias name, or the hub id
    alias: Offline | None = None


def classify(base: str, spec_dir: Path | None = None) -> Where:
    path = Path(base).expanduser()
    if not path.is_absolute() and spec_dir is not None:
        path = Path(spec_dir) / path
    if path.suffix == ".gguf":
        return Where("gguf", str(path.resolve()))
    if path.exists():
        return Where("local", str(path.resolve()))
    alias = find(base)
    if alias is not None:
        return Where("alias", alias.name, alias)
    return Where("hub", base)


def offline_hint() -> str:
    return ("models that work without a hub: " + ", ".join(f'"{n}"' for n in names())
            + " (`ftspec models list`; `model { base = \"" + names()[0] + "\" }`)")


def loadable(base: str) -> tuple[str, dict]:
    """(where, extra from_pretrained arguments) for a compiled script's BASE_MODEL; exits
    with what to do when an offline alias has not been pulled or a GGUF file is missing."""
    where = classify(base)
    if where.kind == "gguf":
        path = Path(where.value)
        if not path.is_file():
            raise SystemExit(f"ftspec: model file not found: {path}")
        return str(path.parent), {"gguf_file": path.name}
    if where.kind == "alias":
        folder = cache.installed(where.value)
        if folder is None:
            raise SystemExit(f"ftspec: the offline model {where.value} is not pulled yet: "
                             f"run `ftspec models pull {where.value}` (ftspec run does it for you)")
        return str(folder), {}
    return where.value, {}
