"""The lock file: what a build was compiled from, so `run` can tell when it is stale."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path
from typing import Any

from ftspec import __version__
from ftspec.runtime.io import sha256_file
from ftspec.spec.node import Node

# Bump when a template changes what it generates; a stale build is then recompiled.
TEMPLATE_VERSION = 2

PACKAGES = ("torch", "transformers", "trl", "peft", "accelerate", "datasets", "bitsandbytes")


def package_versions() -> dict[str, str | None]:
    """Installed versions, read from metadata (nothing is imported)."""
    out: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def data_files(plan: dict[str, Any]) -> list[Path]:
    base = Path(plan["spec_dir"])
    sources = plan["data"]["train"] + plan["data"]["eval"]
    if plan["data"]["validation"]["source"]:
        sources = sources + [plan["data"]["validation"]["source"]]
    paths = []
    for source in sources:
        p = Path(source["path"])
        paths.append(p if p.is_absolute() else base / p)
    return paths


def resolved_values(node: Node, prefix: str = "") -> dict[str, dict[str, Any]]:
    """Every leaf value of the spec with its origin: user, default (and its source) or derived."""
    out: dict[str, dict[str, Any]] = {}
    for name in type(node).model_fields:
        value = getattr(node, name)
        path = f"{prefix}{name}"
        if isinstance(value, Node):
            out.update(resolved_values(value, path + "."))
            continue
        if isinstance(value, list) and value and all(isinstance(v, Node) for v in value):
            for i, item in enumerate(value):
                out.update(resolved_values(item, f"{path}.{i}."))
            continue
        from ftspec.compile.plan import plain

        entry: dict[str, Any] = {"value": plain(value), "origin": node.origin(name)}
        if entry["origin"] == "default" and node.default_source(name):
            entry["source"] = node.default_source(name)
        out[path] = entry
    return out


def make_lock(spec, spec_path: Path, plan: dict[str, Any]) -> dict[str, Any]:
    data = []
    for path in data_files(plan):
        entry: dict[str, Any] = {"path": str(path)}
        if path.is_file():
            entry["sha256"] = sha256_file(path)
            entry["bytes"] = path.stat().st_size
        else:
            entry["sha256"] = None
            entry["missing"] = True
        data.append(entry)
    return {
        "lock_version": 1,
        "ftspec_version": __version__,
        "template_version": TEMPLATE_VERSION,
        "spec": {"path": str(spec_path.resolve()), "sha256": sha256_file(spec_path)},
        "data": data,
        "resolved": resolved_values(spec),
        "packages": package_versions(),
    }


def stale_reasons(lock: dict[str, Any], spec_path: Path) -> list[str]:
    """Why a build no longer matches its inputs; empty when it is current."""
    reasons = []
    if lock.get("template_version") != TEMPLATE_VERSION or lock.get("ftspec_version") != __version__:
        reasons.append(f"compiled by ftspec {lock.get('ftspec_version')} (templates "
                       f"v{lock.get('template_version')}); this is {__version__} (v{TEMPLATE_VERSION})")
    if not spec_path.is_file() or lock.get("spec", {}).get("sha256") != sha256_file(spec_path):
        reasons.append(f"{spec_path.name} changed since it was compiled")
    for entry in lock.get("data", []):
        path = Path(entry["path"])
        now = sha256_file(path) if path.is_file() else None
        if now != entry.get("sha256"):
            reasons.append(f"data file {path.name} changed since it was compiled")
    return reasons
