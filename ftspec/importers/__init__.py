"""`ftspec import {axolotl,torchtune} CONFIG [-o SPEC] [--force]`: a spec from another tool's config.

Each tool's `convert(config, source_name) -> Conversion` is a pure function (ftspec.importers.axolotl,
ftspec.importers.torchtune); `main` reads the file, prints or writes the spec, and lints the result.
Exit codes: 0 converted (lint findings are shown, not failures), 2 unreadable config or usage error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ftspec.importers.emit import EMPTY, ConfigError, Conversion, NotCarried

__all__ = ["TOOLS", "ConfigError", "Conversion", "NotCarried", "add_arguments", "convert", "main"]

TOOLS = ("axolotl", "torchtune")
EXIT_OK, EXIT_ERROR = 0, 2


def convert(tool: str, config: dict | str, source_name: str) -> Conversion:
    if tool == "axolotl":
        from ftspec.importers.axolotl import convert as run
    elif tool == "torchtune":
        from ftspec.importers.torchtune import convert as run
    else:
        raise ConfigError(f"unknown tool `{tool}`: ftspec imports {' and '.join(TOOLS)} configs")
    return run(config, source_name)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("tool", choices=TOOLS, help="the tool the config is for")
    parser.add_argument("config", type=Path, metavar="CONFIG", help="the tool's YAML config")
    parser.add_argument("-o", "--output", type=Path, default=None, metavar="SPEC",
                        help="write the spec here (default: print it); the file is linted after writing")
    parser.add_argument("--force", action="store_true", help="overwrite SPEC if it exists")


def main(args: argparse.Namespace) -> int:
    try:
        text = _read(args.config)
        conversion = convert(args.tool, text, str(args.config))
    except ConfigError as exc:
        print(f"ftspec: {exc}", file=sys.stderr)
        return EXIT_ERROR
    listed = [n for n in conversion.not_carried if n.why != EMPTY]
    if args.output is None:
        sys.stdout.write(conversion.text)
    else:
        if args.output.exists() and not args.force:
            print(f"ftspec: {args.output} exists; --force overwrites it", file=sys.stderr)
            return EXIT_ERROR
        from ftspec.runtime.io import atomic_write_text

        try:
            atomic_write_text(args.output, conversion.text)
        except OSError as exc:
            print(f"ftspec: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_ERROR
        print(f"wrote {args.output}: {len(conversion.carried)} keys carried, {len(listed)} not carried "
              f"(listed at the top of the spec)", file=sys.stderr)
    for warning in conversion.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    _lint(conversion.text, args.output)
    return EXIT_OK


def _read(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte offset {exc.start})") from exc


def _lint(text: str, output: Path | None) -> None:
    """Lint the spec as written, with the project's severities where it was written (as `ftspec lint`
    would), but without the data rules: the data files are usually not beside the new spec."""
    from ftspec.lint import LintResult, UsageError, config_for, lint_text
    from ftspec.output import render

    config = None
    if output is not None:
        try:
            config = config_for(output)
        except UsageError as exc:
            print(f"ftspec: {exc}; linting with the rules' own severities", file=sys.stderr)
    diagnostics = lint_text(text, str(output) if output else "<stdout>", data=False, config=config)
    sys.stderr.write(render("concise", LintResult(files=1, diagnostics=diagnostics)))
