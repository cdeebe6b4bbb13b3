"""Output formats for diagnostics: concise, full, json, github, sarif."""

from __future__ import annotations

from collections.abc import Callable

from ftspec.lint import LintResult

FORMATS = ("concise", "full", "json", "github", "sarif")


def render(fmt: str, result: LintResult) -> str:
    return _renderer(fmt)(result)


def _renderer(fmt: str) -> Callable[[LintResult], str]:
    if fmt == "concise":
        from ftspec.output.text import concise

        return concise
    if fmt == "full":
        from ftspec.output.text import full

        return full
    if fmt == "json":
        from ftspec.output.machine import to_json

        return to_json
    if fmt == "github":
        from ftspec.output.machine import github

        return github
    if fmt == "sarif":
        from ftspec.output.sarif import sarif

        return sarif
    raise ValueError(f"unknown format {fmt!r}")
