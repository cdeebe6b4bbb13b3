"""`ftspec check --write-clean DIR`: deduplicated, decontaminated copies of the training data.

The originals are never touched. Each training source is copied to DIR under its own
file name without the examples the report says should go: exact duplicates (the first
stays), near duplicates (the first stays), examples contaminated by eval, conflicting
examples after the first of each input, and lines with format errors. Every dropped
example is recorded in DIR/dropped.jsonl with its file, line and reason.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ftspec.data.scan import resolve
from ftspec.data.sources import SourceSpec
from ftspec.runtime.io import atomic_write_text


def drops(report: dict[str, Any]) -> dict[tuple[str, int], str]:
    """(file, line) -> reason, for every example the clean copy leaves out."""
    out: dict[tuple[str, int], str] = {}
    for source in report["sources"]:
        if source["role"] == "eval":
            continue
        for issue in source["format_errors"]["issues"]:
            if issue["line"] > 0:
                out.setdefault((issue["file"], issue["line"]), f"format: {issue['category']}")
    for pair in report["duplicates"]["pairs"]:
        d, f = pair["duplicate"], pair["first"]
        out.setdefault((d["file"], d["line"]), f"duplicate of {Path(f['file']).name}:{f['line']}")
    for pair in (report.get("near_duplicates") or {}).get("pairs", []):
        d, f = pair["duplicate"], pair["first"]
        out.setdefault((d["file"], d["line"]),
                       f"near duplicate ({pair['similarity']}) of {Path(f['file']).name}:{f['line']}")
    for pair in report["contamination"]["pairs"]:
        ex, ev = pair["example"], pair["eval"]
        out.setdefault((ex["file"], ex["line"]), f"contamination: {pair['kind']} match with eval "
                                                  f"{Path(ev['file']).name}:{ev['line']}")
    for pair in report["conflicts"]["pairs"]:
        c, f = pair["conflict"], pair["first"]
        out.setdefault((c["file"], c["line"]), f"conflicts with {Path(f['file']).name}:{f['line']}")
    return out


def write_clean(spec, spec_dir: Path, report: dict[str, Any], out: Path) -> dict[str, Any]:
    """Write the clean copies and dropped.jsonl; return {file: (kept, dropped)}."""
    out = Path(out)
    sources = list(spec.data.train)
    if spec.data.validation.source is not None:
        sources.append(spec.data.validation.source)
    if any(_listing_cut(report, key) for key in ("duplicates", "near_duplicates", "contamination", "conflicts")):
        raise ValueError("more findings than the report lists (1000 of a kind): clean in rounds, "
                         "or fix the data at its source")
    drop = drops(report)
    paths = [resolve(SourceSpec.of(s), spec_dir)
             for s in sources]
    if len({p.name for p in paths}) != len(paths):
        raise ValueError("two training sources share a file name; clean them into separate folders")
    if any(out.resolve() == p.parent.resolve() for p in paths):
        raise ValueError(f"{out} holds the original data: choose another folder")
    summary: dict[str, Any] = {}
    records = []
    for source, path in zip(sources, paths, strict=True):
        kept_lines, kept, dropped = _filter(path, source.format, drop, records)
        atomic_write_text(out / path.name, kept_lines)
        summary[str(path)] = {"kept": kept, "dropped": dropped, "clean": str(out / path.name)}
    atomic_write_text(out / "dropped.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    return summary


def _listing_cut(report: dict[str, Any], key: str) -> bool:
    found = report.get(key)
    return bool(found) and found["count"] > len(found["pairs"])


def _filter(path: Path, fmt: str, drop: dict, records: list) -> tuple[str, int, int]:
    """Copy the file's lines (JSONL) or rows (CSV) except the dropped ones, keeping the rest verbatim."""
    text = path.read_text(encoding="utf-8")
    name = str(path)
    kept = dropped = 0
    if fmt == "csv":
        import csv
        import io

        reader = csv.reader(io.StringIO(text, newline=""))
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\n")
        header = next(reader, None)
        if header is not None:
            writer.writerow(header)
        line = reader.line_num + 1
        for row in reader:
            start, line = line, reader.line_num + 1
            reason = drop.get((name, start))
            if reason:
                dropped += 1
                records.append({"file": name, "line": start, "reason": reason, "row": row})
            else:
                kept += 1
                writer.writerow(row)
        return buffer.getvalue(), kept, dropped
    if fmt not in ("jsonl", "alpaca") or path.suffix == ".json":
        raise ValueError(f"--write-clean copies JSONL and CSV sources; {path.name} is a JSON array")
    out = []
    for number, raw in enumerate(text.splitlines(keepends=True), start=1):
        if not raw.strip():
            continue
        reason = drop.get((name, number))
        if reason:
            dropped += 1
            records.append({"file": name, "line": number, "reason": reason, "text": raw.rstrip("\n")})
        else:
            kept += 1
            out.append(raw if raw.endswith("\n") else raw + "\n")
    return "".join(out), kept, dropped
