"""The model cache: one folder per pulled alias, complete or absent.

A folder is installed by renaming a finished staging folder into place, and the
manifest (`ftspec-model.json`) is the last file written into the staging folder, so a
pull that fails (no network, disk full, a kill) leaves no half-written entry: at
most a `.staging-*` folder, which the next pull removes.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

MANIFEST = "ftspec-model.json"


def root() -> Path:
    """`$FTSPEC_MODELS_DIR`, else `models/` in ftspec's cache folder (`$FTSPEC_CACHE_DIR`,
    `$XDG_CACHE_HOME/ftspec` or `~/.cache/ftspec`)."""
    explicit = os.environ.get("FTSPEC_MODELS_DIR")
    if explicit:
        return Path(explicit).expanduser()
    from ftspec.data.cache import cache_dir

    return cache_dir() / "models"


def entry(name: str) -> Path:
    return root() / name


def installed(name: str) -> Path | None:
    """The model's folder if a pull of it finished, else None."""
    folder = entry(name)
    return folder if (folder / MANIFEST).is_file() else None


def manifest(name: str) -> dict[str, Any] | None:
    folder = installed(name)
    if folder is None:
        return None
    try:
        return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def size_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def remove_stale_staging(name: str) -> None:
    base = root()
    if base.is_dir():
        for stale in base.glob(f".staging-{name}-*"):
            shutil.rmtree(stale, ignore_errors=True)
