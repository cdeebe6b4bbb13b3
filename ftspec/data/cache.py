"""Cache of cheap data-check reports, keyed by the content of the data files and the
settings that affect the checks: an unchanged dataset costs only its hashing in pre-commit."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from ftspec import __version__
from ftspec.runtime.io import sha256_file

REPORT_VERSION = 2  # 2: the report's `generated` section (a cached report without it must not be read)


def cache_dir() -> Path:
    root = os.environ.get("FTSPEC_CACHE_DIR")
    if root:
        return Path(root)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ftspec"


def _file_hash(path: Path) -> str:
    return sha256_file(path) if path.is_file() else "missing"


def key(spec, spec_dir: Path) -> str:
    from ftspec.data.scan import resolve
    from ftspec.data.sources import SourceSpec

    # Every source the checker reads, general data included (its format and generated examples are checked).
    sources = list(spec.data.train) + list(spec.data.eval or []) + list(spec.data.general or [])
    if spec.data.validation.source is not None:
        sources.append(spec.data.validation.source)
    files = []
    for source in sources:
        path = resolve(SourceSpec.of(source), spec_dir)
        files.append([str(path), _file_hash(path)])
    schema = spec.task.output.schema_path
    if schema:
        files.append([schema, _file_hash(spec_dir / schema)])
    material = {
        "ftspec": __version__, "report": REPORT_VERSION, "files": files,
        "data": spec.data.model_dump(mode="json"), "quality": spec.quality.model_dump(mode="json"),
        "task": spec.task.model_dump(mode="json"), "seed": spec.training.seed,
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def cheap_report(spec, spec_dir: Path) -> dict[str, Any]:
    """The data report without near duplicates, from the cache when nothing changed."""
    from ftspec.data.checks import check_spec
    from ftspec.runtime.io import atomic_write_json

    path = cache_dir() / f"data-{key(spec, spec_dir)}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    report = check_spec(spec, spec_dir, near=False)
    try:
        atomic_write_json(path, report)
    except OSError:
        pass  # a read-only home: no cache, same answer
    return report
