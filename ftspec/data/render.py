"""`ftspec check`'s text report: the report dict (schemas/check-report.schema.json) as tables.

Only the first few items of each finding are shown (the JSON report has up to 1000 of each,
and every count is complete). Files are shown relative to the working directory when they
are under it, so `file:line` can be opened from the terminal.
"""

from __future__ import annotations

import os
from typing import Any

PAIRS_SHOWN = 10  # pairs listed per finding (duplicates, near duplicates, contamination, conflicts)
ISSUES_SHOWN = 3  # issues listed per format-error category
CATEGORIES_SHOWN = 20
NAMES_SHOWN = 10  # category names listed as below the guide's sizing

RESULT_STYLE = {"PASS": "green", "FAIL": "bold red", "WARN": "yellow", "SKIP": "dim"}


def render_text(report: dict[str, Any], *, spec_path: str, color: bool) -> str:
    """The report as a terminal page, 100 columns wide; ANSI colours only when `color`."""
    from io import StringIO

    from rich import box
    from rich.console import Console
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    console = Console(file=StringIO(), width=100, color_system="standard" if color else None,
                      force_terminal=color, markup=False, emoji=False, highlight=False)
    out = console.print

    def heading(title: str, detail: str = "", *, gap: bool = False) -> None:
        out(Text.assemble("\n" if gap else "", (title, "bold"), detail))

    def table(*columns: str, right: tuple[int, ...] = ()) -> Table:
        """Columns in `right` are numbers: right-aligned, never wrapped; the others fold when too long."""
        t = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")
        for i, name in enumerate(columns):
            t.add_column(name, justify="right" if i in right else "left", overflow="fold", no_wrap=i in right)
        return t

    def para(text: str) -> None:
        """An indented paragraph: wrapped lines keep the indent."""
        out(Padding(Text(text), (0, 0, 0, 2)))

    def listed(lines: list[str], total: int) -> None:
        for line in lines:  # never wrapped: a `file:line` split over two lines cannot be opened
            out(Text("  " + line), soft_wrap=True)
        if total > len(lines):
            out(Text(f"  ... and {total - len(lines)} more", style="dim"))

    # -- header
    validation = report["validation"]
    out(Text.assemble(("ftspec check ", "bold"), spec_path))
    out(Text(f"tokens:     {report['tokens']}"))
    method = "the validation file" if validation["method"] == "file" else validation["method"]
    out(Text(f"validation: {validation['examples']} examples ({method})"))

    # -- sources
    heading("Sources", gap=True)
    t = table("role", "file", "examples", "format\nerrors", "no\nsystem", "no\nuser", "tokens\nmed/p95/max",
              "over\nmax_tokens", right=(2, 3, 4, 5, 6, 7))
    for s in report["sources"]:
        tok = s["tokens"]
        t.add_row(s["role"], _file(s["path"]), str(s["examples"]), str(s["format_errors"]["total"]),
                  str(s["missing_system"]), str(s["missing_user"]),
                  f"{tok['median']:.0f}/{tok['p95']:.0f}/{tok['max']:.0f}", str(s["over_max_tokens"]["count"]))
    out(t)
    over = [e for s in report["sources"] for e in s["over_max_tokens"]["examples"]]
    over_total = sum(s["over_max_tokens"]["count"] for s in report["sources"])
    if over_total:
        out(Text(f"Over max_tokens: {over_total}"))
        listed([f"{_at(e)} ({e['tokens']} tokens)" for e in over[:PAIRS_SHOWN]], over_total)

    # -- format errors
    counts: dict[str, int] = {}
    for s in report["sources"]:
        for key, n in s["format_errors"].items():
            if key not in ("total", "issues"):
                counts[key] = counts.get(key, 0) + n
    total = sum(counts.values())
    if not total:
        heading("Format errors", ": none", gap=True)
    else:
        heading("Format errors", f": {total}", gap=True)
        issues = [i for s in report["sources"] for i in s["format_errors"]["issues"]]
        t = table("category", "count", "first issues", right=(1,))
        for category, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            shown = [f"{_at(i)}: {i['message']}" for i in issues if i["category"] == category][:ISSUES_SHOWN]
            if n > len(shown):
                shown.append(f"... and {n - len(shown)} more")
            t.add_row(category, str(n), "\n".join(shown))
        out(t)

    # -- pairs
    def pairs(title: str, finding: dict[str, Any] | None, describe, note: str = "", gap: bool = False) -> None:
        if finding is None:
            heading(title, ": not checked", gap=gap)
            return
        if not finding["count"]:
            heading(title, ": none", gap=gap)
            return
        heading(title, f": {finding['count']}{note}", gap=gap)
        listed([describe(p) for p in finding["pairs"][:PAIRS_SHOWN]], finding["count"])

    pairs("Duplicates", report["duplicates"], lambda p: f"{_at(p['first'])} ~ {_at(p['duplicate'])}",
          " (identical after normalising case and whitespace)", gap=True)
    near = report["near_duplicates"]
    pairs("Near duplicates", near,
          lambda p: f"{_at(p['first'])} ~ {_at(p['duplicate'])}  similarity {p['similarity']:g}",
          f" (similarity >= {near['threshold']:g})" if near else "")
    pairs("Contamination", report["contamination"],
          lambda p: (f"{_at(p['example'])}{' (validation)' if p['example']['side'] == 'validation' else ''}"
                     f" ~ {_at(p['eval'])}  "
                     + ("same input" if p["kind"] == "exact" else f"{p['overlap']:.0%} of 5-grams shared")),
          " (train/validation inputs found in eval)")
    pairs("Conflicts", report["conflicts"], lambda p: f"{_at(p['first'])} ~ {_at(p['conflict'])}",
          " (same input, different reply)")

    # -- categories, balance and sizing
    categories: dict[str, int] = report["categories"]
    balance = report["balance"]
    if not categories:
        heading("Categories", ": none", gap=True)
    else:
        ratio, max_ratio = balance["ratio"], balance["max_ratio"]
        limit = "" if max_ratio is None else f" (max_ratio {max_ratio:g})"
        heading("Categories", f": {len(categories)}, largest/smallest {ratio:g}{limit}", gap=True)
        # Outside classification a category can be a whole reply: show a few, cut short.
        at_most = CATEGORIES_SHOWN if balance["sizing"]["per_category"] else 5
        shown = [f"{_cut(name, 40)} {n}" for name, n in list(categories.items())[:at_most]]
        more = f", ... and {len(categories) - len(shown)} more" if len(categories) > len(shown) else ""
        para(", ".join(shown) + more)
    sizing = balance["sizing"]
    if sizing["per_category"]:
        below_min = balance["below_minimum"]
        below_rec = [c for c in balance["below_recommended"] if c not in set(below_min)]
        if below_min:
            para(f"below the guide's minimum of {sizing['minimum']} per category: {_names(below_min)}")
        if below_rec:
            para(f"below the guide's recommended {sizing['recommended']} per category: {_names(below_rec)}")
    else:
        n = sum(s["examples"] for s in report["sources"] if s["role"] != "eval")
        verdict = ("below the minimum" if n < sizing["minimum"] else
                   "below the recommended size" if n < sizing["recommended"] else "enough")
        para(f"train + validation examples: {n}; the guide's minimum {sizing['minimum']}, "
             f"recommended {sizing['recommended']}: {verdict}")

    # -- format compliance
    compliance = report["format_compliance"]
    if not compliance["checked"]:
        heading("Format compliance", ": not checked (the output format is free text)", gap=True)
    else:
        ok = compliance["checked"] - compliance["failures"]
        heading("Format compliance", f": {ok} of {compliance['checked']} replies follow the output format",
                gap=True)
        listed([f"{_at(e)}: {_clip(e['output'])}" for e in compliance["examples"][:PAIRS_SHOWN]],
               compliance["failures"])

    # -- tags
    tags: dict[str, int] = report["tags"]
    if not tags:
        heading("Tags", ": none")
    else:
        shown = [f"{_cut(name, 40)} {n}" for name, n in list(tags.items())[:CATEGORIES_SHOWN]]
        more = f", ... and {len(tags) - len(shown)} more" if len(tags) > len(shown) else ""
        heading("Tags", f": {len(tags)}")
        para(", ".join(shown) + more)

    # -- generated examples (`ftspec augment`'s provenance): shown only where some are trained on,
    # so the page of a dataset without them is unchanged (and a report saved before the section
    # existed still renders).
    generated = report.get("generated")
    if generated and generated["by_role"]:
        total, count = generated["train_examples"], generated["count"]
        share = f" ({count / total:.1%})" if total else ""
        heading("Generated", f": {count} of {total} training examples{share}", gap=True)
        strategies = ", ".join(f"{name} {n}" for name, n in generated["by_strategy"].items())
        general = generated["by_role"].get("general", 0)
        if general:  # trained on, but not the task's own data: outside the share
            strategies += f"{'; and ' if strategies else ''}{general} in the general-purpose data"
        para(strategies)
        unreviewed = generated["unreviewed"]
        if unreviewed["count"]:
            para(f"unreviewed (no review that accepts them; lint DA007): {unreviewed['count']}")
            listed([f"{_at(e)} ({e['strategy']})" for e in unreviewed["examples"][:PAIRS_SHOWN]],
                   unreviewed["count"])
        else:
            para("every one accepted in review")

    # -- checks and verdict
    heading("Checks", gap=True)
    t = table("check", "level", "count", "result", right=(2,))
    failed, warned = [], []
    for check in report["checks"]:
        result = _result(check, report)
        if result == "FAIL":
            failed.append(check["name"])
        elif result == "WARN":
            warned.append(check["name"])
        t.add_row(check["name"], check["level"], str(check["count"]), Text(result, style=RESULT_STYLE[result]))
    out(t)
    verdict, style = _verdict(report["passed"], failed, warned)
    out(Text(verdict, style=style), soft_wrap=True)
    return "".join(line.rstrip() + "\n" for line in console.file.getvalue().splitlines())


def _result(check: dict[str, Any], report: dict[str, Any]) -> str:
    if check["name"] == "near_duplicates" and report["near_duplicates"] is None:
        return "SKIP"  # near-duplicate detection was not run: its count of 0 says nothing
    if check["passed"]:
        return "PASS"
    return "FAIL" if check["level"] == "error" else "WARN"


def _verdict(passed: bool, failed: list[str], warned: list[str]) -> tuple[str, str]:
    """The last line, and its style."""
    warnings = f"{len(warned)} warning{'s' if len(warned) != 1 else ''} ({', '.join(warned)})"
    if not passed:
        line = (f"FAILED: {len(failed)} error-level check{'s' if len(failed) != 1 else ''} failed "
                f"({', '.join(failed)})" + (f"; {warnings}" if warned else ""))
        return line, "bold red"
    if warned:
        return f"PASSED with {warnings}", "bold yellow"
    return "PASSED: all checks passed", "bold green"


def _file(path: str) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path
    return path if rel.startswith("..") else rel


def _at(where: dict[str, Any]) -> str:
    return f"{_file(where['file'])}:{where['line']}"


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:NAMES_SHOWN])
    return shown + (f", ... and {len(names) - NAMES_SHOWN} more" if len(names) > NAMES_SHOWN else "")


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def _clip(text: str, width: int = 60) -> str:
    return repr(_cut(text, width))
