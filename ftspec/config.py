"""Per-project lint configuration: severities by code, rule name or family, and a preset.

Found upward from a spec's folder, nearest first: `ftspec.toml`, `.ftspec.toml`, or a
`pyproject.toml` with a `[tool.ftspec]` table (the first that exists wins, like ruff);
`--config PATH` names one explicitly. The format:

    [lint]
    preset = "strict"          # default | strict: every warning becomes an error

    [lint.severity]
    AD001 = "error"            # a code
    "adapter.alpha-ratio" = "off"   # a rule name
    HP = "info"                # a family prefix: every HP rule

Values: error, warning, info, off. A code or name beats a family prefix, which beats
the preset. Syntax (SY) and spec (SP) errors cannot be changed: a broken spec never
lints clean. A bad configuration is a usage error with the file, line and what to do.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ftspec.diagnostics import Diagnostic, Severity

NAMES = ("ftspec.toml", ".ftspec.toml", "pyproject.toml")
LEVELS = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO, "off": None}
PRESETS = ("default", "strict")
FIXED = ("SY", "SP")  # never reconfigured


class ConfigError(Exception):
    """A configuration file that cannot be used: exit 2 with `path:line: message`."""


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    preset: str = "default"
    # code or rule name or family prefix -> severity (None: off)
    severities: dict[str, Severity | None] = field(default_factory=dict)

    def severity(self, diag: Diagnostic) -> Severity | None:
        """The severity this project gives the diagnostic; None drops it."""
        if diag.code.startswith(FIXED):
            return diag.severity
        for key in (diag.code, diag.name, diag.code[:2]):
            if key in self.severities:
                return self.severities[key]
        if self.preset == "strict" and diag.severity is Severity.WARNING:
            return Severity.ERROR
        return diag.severity

    def apply(self, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
        if self.preset == "default" and not self.severities:
            return diagnostics
        out = []
        for diag in diagnostics:
            severity = self.severity(diag)
            if severity is None:
                continue
            out.append(diag if severity is diag.severity else _with_severity(diag, severity))
        return out


DEFAULT = Config()


def _with_severity(diag: Diagnostic, severity: Severity) -> Diagnostic:
    from dataclasses import replace

    return replace(diag, severity=severity)


def find(start: Path) -> Path | None:
    """The nearest configuration file at or above `start` (a folder)."""
    for folder in (start, *start.parents):
        for name in NAMES:
            candidate = folder / name
            if candidate.is_file() and (name != "pyproject.toml" or _has_tool_table(candidate)):
                return candidate
    return None


def _has_tool_table(path: Path) -> bool:
    try:
        return "ftspec" in tomllib.loads(path.read_text(encoding="utf-8")).get("tool", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False


@lru_cache(maxsize=64)
def for_folder(folder: Path) -> Config:
    """The configuration that applies to specs in `folder` (cached: lint sees many specs per folder)."""
    path = find(folder)
    return load(path) if path is not None else DEFAULT


def load(path: Path) -> Config:
    try:
        text = path.read_text(encoding="utf-8")
        table = tomllib.loads(text)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    if path.name == "pyproject.toml":
        table = table.get("tool", {}).get("ftspec", {})
    lint = table.get("lint", {})
    unknown = sorted(set(table) - {"lint"}) + sorted(set(lint) - {"preset", "severity"})
    if unknown:
        raise ConfigError(_at(path, text, unknown[0], f"unknown key `{unknown[0]}`; known: lint.preset, lint.severity"))
    preset = lint.get("preset", "default")
    if preset not in PRESETS:
        raise ConfigError(_at(path, text, "preset", f"preset {preset!r} is not one of {', '.join(PRESETS)}"))
    severities: dict[str, Severity | None] = {}
    for key, value in lint.get("severity", {}).items():
        severities[_check_key(path, text, key)] = _check_level(path, text, key, value)
    return Config(path, preset, severities)


def _check_key(path: Path, text: str, key: str) -> str:
    from ftspec.rules import REGISTRY

    families = {code[:2] for code in REGISTRY}
    names = {rule.name for rule in REGISTRY.values()}
    if key.startswith(FIXED):
        raise ConfigError(_at(path, text, key, f"`{key}`: syntax and spec errors cannot be reconfigured; fix them"))
    if key in REGISTRY or key in names or key in families:
        return key
    from difflib import get_close_matches

    near = get_close_matches(key, [*REGISTRY, *names], n=1)
    hint = f"; did you mean `{near[0]}`?" if near else "; `ftspec explain --list` shows every code"
    raise ConfigError(_at(path, text, key, f"`{key}` is not a code, rule name or family prefix{hint}"))


def _check_level(path: Path, text: str, key: str, value) -> Severity | None:
    if value not in LEVELS:
        raise ConfigError(_at(path, text, key, f"`{key} = {value!r}`: use one of {', '.join(LEVELS)}"))
    return LEVELS[value]


def _at(path: Path, text: str, key: str, message: str) -> str:
    """`path:line: message`, the line being the first that sets `key` (tomllib keeps no positions)."""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip().lstrip('"').lstrip("'")
        if stripped.startswith(key) and "=" in line:
            return f"{path}:{number}: {message}"
    return f"{path}: {message}"
