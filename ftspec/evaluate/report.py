"""report.html: one self-contained page for a run, drawn from results.json and metrics.jsonl.

No external scripts, fonts, images or stylesheets: the file works opened from disk and
mailed. Charts are inline SVG (`ftspec.evaluate.svg`). Every string taken from the results
is HTML-escaped, and a Content-Security-Policy lets only the page's own small script run:
it draws nothing, it measures the charts after layout and writes what it found to
<body data-charts-rendered="ladder:8,loss-curves:2,..."> for the browser test.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ftspec import __version__
from ftspec.evaluate.metrics import normalise
from ftspec.evaluate.svg import bar_chart, esc, interval_bar, line_chart, num
from ftspec.runtime.io import atomic_write_text

LADDER = ("base", "prompted_base", "larger", "fine_tuned")
RUNG_NAMES = {"base": "base", "prompted_base": "prompted base", "larger": "larger", "fine_tuned": "fine-tuned"}
RUNG_COLOURS = {"base": "#9a9a9a", "prompted_base": "#56b4e9", "larger": "#e69f00", "fine_tuned": "#0072b2"}
UNBOUNDED = ("eval_loss", "perplexity")  # shown in a table: they are not on a 0..1 scale
TRAIN_COLOUR, EVAL_COLOUR = "#0072b2", "#d55e00"
SIGNALS = {"validation_loss_rising": "Validation loss rising", "regurgitation": "Regurgitation"}

# Measures every .chart after layout and counts its marks that have a size on screen.
SCRIPT = """(function () {
  var found = [];
  document.querySelectorAll('.chart').forEach(function (chart) {
    var box = chart.getBoundingClientRect(), drawn = 0;
    if (box.width > 0 && box.height > 0) {
      chart.querySelectorAll('.mark').forEach(function (mark) {
        var r = mark.getBoundingClientRect(), thin = mark.tagName === 'polyline' || mark.tagName === 'path';
        if (thin ? (r.width > 0 || r.height > 0) : (r.width > 0 && r.height > 0)) drawn++;
      });
    }
    found.push(chart.id + ':' + drawn);
  });
  document.body.setAttribute('data-charts-rendered', found.join(','));
})();"""
SCRIPT_HASH = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
CSP = f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{SCRIPT_HASH}'"

STYLE = """
:root { --ink: #1f2328; --muted: #5f6b76; --line: #d8dee4; --pass: #1a7f37; --fail: #cf222e; --warn: #9a6700; }
* { box-sizing: border-box; }
body { margin: 0; background: #f6f8fa; color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1080px; margin: 0 auto; padding: 28px 32px 48px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 20px 24px; margin: 18px 0; }
h1 { font-size: 28px; margin: 0 0 6px; word-break: break-word; }
h2 { font-size: 19px; margin: 0 0 12px; }
p.note, .muted { color: var(--muted); }
header.top { display: flex; gap: 24px; align-items: center; justify-content: space-between; flex-wrap: wrap; }
.facts { color: var(--muted); margin: 2px 0; }
.facts b { color: var(--ink); font-weight: 600; }
.verdict { font-size: 30px; font-weight: 800; letter-spacing: .06em; padding: 10px 26px; border-radius: 8px;
  color: #fff; text-align: center; }
.verdict small { display: block; font-size: 13px; font-weight: 500; letter-spacing: 0; opacity: .92; }
.verdict.passed { background: var(--pass); } .verdict.failed { background: var(--fail); }
.verdict.baseline { background: #57606a; }
nav { font-size: 14px; margin-top: 10px; } nav a { color: #0969da; margin-right: 14px; text-decoration: none; }
table { border-collapse: collapse; font-size: 14px; margin: 6px 0; }
th, td { border-bottom: 1px solid var(--line); padding: 6px 10px; text-align: left; vertical-align: top; }
th { font-weight: 600; background: #f6f8fa; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
code { font: 13px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.status { font-weight: 700; white-space: nowrap; }
.status.pass { color: var(--pass); } .status.fail { color: var(--fail); } .status.none { color: var(--warn); }
svg.chart { display: block; max-width: 100%; height: auto; margin: 8px 0; }
svg.chart text { font: 12px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; fill: var(--ink); }
svg.chart text.tick, svg.chart text.na, svg.chart text.axis-label { fill: var(--muted); }
svg.chart text.value { font-size: 11px; font-weight: 600; }
svg.chart text.group { font-weight: 600; }
svg.chart .grid { stroke: #eaeef2; } svg.chart .axis { stroke: #8c959f; }
svg.chart .marker { stroke: #57606a; stroke-dasharray: 4 3; }
svg.chart text.marker-label { fill: #57606a; font-size: 11px; }
svg.chart .track { fill: #eaeef2; } svg.chart .errorbar { stroke: var(--ink); stroke-width: 2; fill: none; }
.scroll { overflow-x: auto; }
table.heat td { text-align: center; min-width: 40px; font-variant-numeric: tabular-nums; border: 1px solid #fff; }
table.heat th.col { vertical-align: bottom; }
table.heat th.col span { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; }
table.heat td.zero { color: #c4cbd2; }
td.meter { background: linear-gradient(90deg, rgba(0, 114, 178, .18) var(--v), transparent var(--v)); }
.warning { border-left: 5px solid #d4a72c; background: #fff8c5; padding: 10px 14px; margin: 10px 0;
  border-radius: 4px; }
.warning b { color: var(--warn); }
.ok { border-left: 5px solid var(--pass); background: #dafbe1; padding: 10px 14px; border-radius: 4px; }
table.samples { width: 100%; table-layout: fixed; font-size: 13px; }
table.samples col.index { width: 3em; } table.samples col.input { width: 24%; }
table.samples td div { white-space: pre-wrap; word-break: break-word; max-height: 11em; overflow: auto; }
table.samples td.hit { background: #dafbe1; }
table.samples td.hit div::before { content: "✓ "; color: var(--pass); font-weight: 700; }
footer { color: var(--muted); font-size: 13px; text-align: center; }
"""


def render(results: dict[str, Any], records: list[dict[str, Any]]) -> str:
    """The report's HTML for results.json's dict and metrics.jsonl's records."""
    rungs = _ladder(results.get("rungs") or {})
    title = (results.get("spec") or {}).get("name") or "ftspec run"
    sections = [
        ("acceptance", "Acceptance", _acceptance(results)),
        ("ladder-section", "Ladder", _ladder_section(rungs)),
        ("training", "Training", _curves(results, records)),
        ("confusion-section", "Confusion matrix", _confusion(results, rungs)),
        ("per-class", "Per-class F1", _per_class(rungs)),
        ("overfitting", "Overfitting", _overfitting(results)),
        ("human", "Human review", _human(results)),
        ("samples", "Samples", _samples(results, rungs)),
    ]
    present = [(sid, name, body) for sid, name, body in sections if body]
    nav = "".join(f'<a href="#{sid}">{name}</a>' for sid, name, _ in present)
    body = "".join(f'<section id="{sid}"><h2>{name}</h2>{html}</section>' for sid, name, html in present)
    created = f" · evaluated {esc(results['created'])}" if results.get("created") else ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)} · ftspec report</title><style>{STYLE}</style></head>\n"
        f"<body><main>{_header(results, title)}<nav>{nav}</nav>{body}"
        f"<footer>ftspec {esc(__version__)} report{created}</footer></main>\n"
        f"<script>{SCRIPT}</script></body></html>\n"
    )


def write(run_dir: Path) -> Path:
    """Render run_dir/results.json and run_dir/metrics.jsonl into run_dir/report.html."""
    run_dir = Path(run_dir)
    results = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
    path = run_dir / "report.html"
    atomic_write_text(path, render(results, read_records(run_dir / "metrics.jsonl")))
    return path


def read_records(path: Path) -> list[dict[str, Any]]:
    """metrics.jsonl's objects; a missing file is none, a line that is not JSON (a run
    killed mid-write) is skipped."""
    try:
        lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        return []
    records = []
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            records.append(record)
    return records


# --- sections -------------------------------------------------------------------------


def _header(results: dict[str, Any], title: str) -> str:
    task = results.get("task") or {}
    eval_set = results.get("eval_set") or {}
    decoding = results.get("decoding") or {}
    facts = [f"task <b>{esc(task.get('kind', '?'))}</b>"]
    if task.get("labels"):
        facts.append(f"<b>{len(task['labels'])}</b> labels")
    examples = f"<b>{num(eval_set.get('examples'))}</b> eval examples"
    if eval_set.get("limit") is not None:
        examples += f" (first {num(eval_set['limit'])} only)"
    facts.append(examples)
    if decoding:
        tokens = num(decoding.get("max_new_tokens"))
        facts.append(f"{esc(decoding.get('strategy', ''))} decoding, max {tokens} new tokens")
    lines = [" · ".join(facts)]
    if training := results.get("training"):
        lines.append(_training_facts(training))
    if (spec := results.get("spec") or {}).get("file"):
        lines.append(f"spec <code>{esc(spec['file'])}</code>")
    verdicts = [c.get("passed") for c in results.get("acceptance") or []]
    if results.get("kind") == "baseline":
        verdict, word, small = "baseline", "BASELINE", "before training: nothing to decide"
    else:
        verdict, word = ("passed", "PASSED") if results.get("passed") else ("failed", "FAILED")
        small = f"{verdicts.count(True)} of {len(verdicts)} criteria met"
        if verdicts.count(None):
            small += f", {verdicts.count(None)} not measured"
    facts_html = "".join(f'<p class="facts">{line}</p>' for line in lines)
    return (
        f'<header class="top"><div><h1>{esc(title)}</h1>{facts_html}</div>'
        f'<div class="verdict {verdict}" id="verdict">{word}<small>{small}</small></div></header>'
    )


def _training_facts(training: dict[str, Any]) -> str:
    parts = []
    if training.get("global_step") is not None:
        parts.append(f"trained <b>{num(training['global_step'])}</b> steps")
    if training.get("stopped_early"):
        parts.append("stopped early")
    if training.get("best_checkpoint"):
        best = f"best checkpoint <code>{esc(Path(str(training['best_checkpoint'])).name)}</code>"
        if training.get("best_metric") is not None:
            best += f" ({esc(training.get('metric') or 'metric')} {num(training['best_metric'])})"
        parts.append(best)
    return " · ".join(parts)


def _acceptance(results: dict[str, Any]) -> str:
    criteria = results.get("acceptance") or []
    if not criteria:
        return '<p class="note">No acceptance criteria were decided.</p>'
    rows = []
    for c in criteria:
        state = {True: ("pass", "✓ pass"), False: ("fail", "✗ fail")}.get(c.get("passed"), ("none", "not measured"))
        if c.get("passed") is None and c.get("pending"):  # win_rate waits for `ftspec review import`
            state = ("none", "pending")
        pending = f'<div class="muted">pending {esc(c["pending"])}</div>' if c.get("pending") else ""
        rows.append(
            f'<tr><td class="status {state[0]}">{state[1]}</td>'
            f'<td><code>{esc(c.get("criterion", ""))}</code>{pending}</td>'
            f'<td class="n">{_measured(c.get("value"))}</td><td class="n">{_measured(c.get("threshold"))}</td></tr>'
        )
    return ('<table id="acceptance-table"><tr><th></th><th>criterion</th><th class="n">value</th>'
            f'<th class="n">threshold</th></tr>{"".join(rows)}</table>')


def _measured(value: Any) -> str:
    return '<span class="muted">not measured</span>' if value is None else esc(num(value))


def _ladder(rungs: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The rungs in ladder order (any unknown name after them)."""
    order = [r for r in LADDER if r in rungs] + sorted(r for r in rungs if r not in LADDER)
    return {r: rungs[r] for r in order if isinstance(rungs[r], dict)}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _ladder_section(rungs: dict[str, dict[str, Any]]) -> str:
    if not rungs:
        return '<p class="note">No rung was measured.</p>'
    names = list(dict.fromkeys(m for r in rungs.values() for m in r.get("metrics") or {}))
    values = {(m, r): v for r, rung in rungs.items() for m, v in (rung.get("metrics") or {}).items() if _is_number(v)}
    bounded = [m for m in names if m not in UNBOUNDED and all(0 <= v <= 1 for (n, _), v in values.items() if n == m)]
    unbounded = [m for m in names if m not in bounded]
    out = []
    if bounded:
        series = [(r, RUNG_NAMES.get(r, r), RUNG_COLOURS.get(r, "#6e7781")) for r in rungs]
        label = f"Bar chart: {', '.join(bounded)} of each rung ({', '.join(name for _, name, _ in series)})"
        out.append(bar_chart("ladder", bounded, series, values, label=label))
    else:
        out.append('<p class="note">No metric on a 0 to 1 scale to chart.</p>')
    head = "".join(f'<th class="n">{esc(m)}</th>' for m in unbounded)
    rows = []
    for r, rung in rungs.items():
        cells = "".join(f'<td class="n">{esc(num(values.get((m, r))))}</td>' for m in unbounded)
        shots = rung.get("shots")
        rows.append(
            f"<tr><th>{esc(RUNG_NAMES.get(r, r))}</th><td><code>{esc(rung.get('model', ''))}</code></td>"
            f'<td class="n">{"" if shots is None else num(shots)}</td>{cells}'
            f'<td class="n">{"" if rung.get("seconds") is None else esc(num(rung["seconds"], 3)) + " s"}</td>'
            f"<td>{esc(rung.get('source', ''))}</td></tr>"
        )
    out.append(f'<table id="rungs"><tr><th>rung</th><th>model</th><th class="n">shots</th>{head}'
               f'<th class="n">time</th><th>source</th></tr>{"".join(rows)}</table>')
    missing = [(r, m, why) for r, rung in rungs.items() for m, why in (rung.get("unavailable") or {}).items()]
    if missing:
        items = [f"<li>{esc(RUNG_NAMES.get(r, r))}: {esc(m)} not measured: {esc(why)}</li>" for r, m, why in missing]
        out.append(f'<ul class="muted">{"".join(items)}</ul>')
    return "".join(out)


def _curves(results: dict[str, Any], records: list[dict[str, Any]]) -> str:
    train = _series(records, ("train_loss", "loss"))
    evals = _series(records, ("eval_loss",))
    if not train and not evals:
        if not records:
            return '<p class="note" id="no-curves">No training curves (baseline only).</p>'
        return '<p class="note" id="no-curves">No training curves: metrics.jsonl holds no train_loss or eval_loss.</p>'
    both = [("train loss", TRAIN_COLOUR, train), ("validation loss", EVAL_COLOUR, evals)]
    series = [(name, colour, points) for name, colour, points in both if points]
    best = _best_step(results.get("training") or {})
    marker = (best, f"best checkpoint (step {best:,})") if best is not None else None
    label = "Line chart: " + " and ".join(n for n, _, _ in series) + " by training step"
    return line_chart("loss-curves", series, label=label, x_label="step", y_label="loss", marker=marker)


def _series(records: Iterable[dict[str, Any]], keys: tuple[str, ...]) -> list[tuple[float, float]]:
    points: dict[float, float] = {}
    for record in records:
        step = record.get("step")
        value = next((record[k] for k in keys if _is_number(record.get(k))), None)
        if _is_number(step) and value is not None:
            points[step] = value  # a step logged twice (a resumed run) keeps its last value
    return sorted(points.items())


def _best_step(training: dict[str, Any]) -> int | None:
    match = re.search(r"(\d+)\D*$", str(training.get("best_checkpoint") or ""))
    return int(match.group(1)) if match else None


def _confusion_rung(rungs: dict[str, dict[str, Any]], key: str) -> tuple[str, dict[str, Any]] | None:
    """The fine-tuned rung's `key` (confusion, per_class), or the last rung's that has one."""
    having = [r for r in rungs if rungs[r].get(key)]
    if not having:
        return None
    rung = "fine_tuned" if "fine_tuned" in having else having[-1]
    return rung, rungs[rung][key]


def _confusion(results: dict[str, Any], rungs: dict[str, dict[str, Any]]) -> str:
    found = _confusion_rung(rungs, "confusion")
    if (results.get("task") or {}).get("kind") != "classification" or not found:
        return ""
    rung, confusion = found
    labels, matrix = confusion.get("labels") or [], confusion.get("matrix") or []
    rotate = max((len(str(x)) for x in labels), default=0) > 5
    head = "".join(f'<th class="col"><span>{esc(x)}</span></th>' if rotate else f"<th>{esc(x)}</th>" for x in labels)
    rows, pairs = [], []
    for i, (label, row) in enumerate(zip(labels, matrix, strict=False)):
        total = sum(row) or 1
        cells = []
        for j, count in enumerate(row):
            share = count / total
            colour = "0, 114, 178" if i == j else "213, 94, 0"
            style = f"background: rgba({colour}, {0.08 + 0.85 * share:.3f});" if count else ""
            style += " color: #fff;" if count and share > 0.5 else ""
            predicted = labels[j] if j < len(labels) else "?"
            tip = f"reference {label}, predicted {predicted}: {count} ({share:.0%} of {label})"
            cells.append(f'<td class="mark{"" if count else " zero"}" style="{style}" title="{esc(tip)}">{count}</td>')
            if i != j and count and j < len(labels):
                pairs.append((count, label, labels[j]))
        rows.append(f"<tr><th>{esc(label)}</th>{''.join(cells)}</tr>")
    name = esc(RUNG_NAMES.get(rung, rung))
    table = (f'<div class="scroll"><table class="chart heat" id="confusion" aria-label="'
             f'Confusion matrix of the {name} rung: rows are references, columns predictions">'
             f'<tr><th class="corner">reference ↓ · predicted →</th>{head}</tr>{"".join(rows)}</table></div>')
    note = (f'<p class="note">The {name} rung. Rows are the reference labels, columns '
            "the predictions; (other) is any reply that is not a label. Colour is the share of the row.</p>")
    if pairs:
        top = sorted(pairs, key=lambda p: (-p[0], str(p[1])))[:8]
        items = "".join(f'<tr><td>{esc(a)}</td><td>{esc(b)}</td><td class="n">{c}</td></tr>' for c, a, b in top)
        table += ('<h3>Most frequent confusions</h3><table id="top-confusions"><tr><th>reference</th>'
                  f'<th>predicted</th><th class="n">count</th></tr>{items}</table>')
    return note + table


def _per_class(rungs: dict[str, dict[str, Any]]) -> str:
    found = _confusion_rung(rungs, "per_class")
    if not found:
        return ""
    rung, per_class = found
    others = [r for r in rungs if r != rung and rungs[r].get("per_class")]
    head = "".join(f'<th class="n">F1 {esc(RUNG_NAMES.get(r, r))}</th>' for r in others)
    rows = []
    for label, row in per_class.items():
        def meter(value: Any) -> str:
            width = f"{min(max(value, 0), 1) * 100:.1f}%" if _is_number(value) else "0%"
            return f'<td class="n meter" style="--v: {width}">{esc(num(value, 3))}</td>'

        other = "".join(meter(((rungs[r]["per_class"] or {}).get(label) or {}).get("f1")) for r in others)
        numbers = "".join(f'<td class="n">{esc(num(row.get(k), 3))}</td>' for k in ("support", "precision", "recall"))
        rows.append(f"<tr><th>{esc(label)}</th>{numbers}{meter(row.get('f1'))}{other}</tr>")
    name = esc(RUNG_NAMES.get(rung, rung))
    return (f'<table id="per-class-table"><tr><th>label</th><th class="n">support</th><th class="n">precision</th>'
            f'<th class="n">recall</th><th class="n">F1 {name}</th>{head}</tr>{"".join(rows)}</table>')


def _overfitting(results: dict[str, Any]) -> str:
    signals = results.get("overfitting") or []
    if not signals:
        return '<p class="ok">No sign of overfitting was seen.</p>' if results.get("kind") != "baseline" else ""
    boxes = []
    for s in signals:
        facts = []
        if s.get("from_step") is not None and s.get("to_step") is not None:
            facts.append(f"steps {num(s['from_step'])} to {num(s['to_step'])}")
        if s.get("rate") is not None:
            facts.append(f"rate {num(s['rate'], 3)}")
        if s.get("count") is not None:
            facts.append(f"{num(s['count'])} examples")
        detail = f'<div class="muted">{esc(" · ".join(facts))}</div>' if facts else ""
        examples = s.get("examples") or []
        if examples:
            shown = [f"<li><code>{esc(json.dumps(e, ensure_ascii=False)[:400])}</code></li>" for e in examples[:5]]
            detail += f"<details><summary>examples</summary><ul>{''.join(shown)}</ul></details>"
        signal = s.get("signal", "")
        boxes.append(f'<div class="warning" data-signal="{esc(signal)}"><b>⚠ {esc(SIGNALS.get(signal, signal))}</b>'
                     f"<div>{esc(s.get('message', ''))}</div>{detail}</div>")
    return "".join(boxes)


def _human(results: dict[str, Any]) -> str:
    human = results.get("human")
    if not human:
        return ""
    against = RUNG_NAMES.get(human.get("against"), human.get("against", "?"))
    rate, ci = human.get("win_rate"), human.get("ci95") or []
    out = [f'<p>Reviewers compared the fine-tuned outputs with <b>{esc(against)}</b>: '
           f'<b>{num(human.get("wins"))}</b> wins, <b>{num(human.get("losses"))}</b> losses, '
           f'<b>{num(human.get("ties"))}</b> ties of {num(human.get("judged"))} judged.</p>']
    if _is_number(rate) and len(ci) == 2 and all(_is_number(c) for c in ci):
        caption = f"win rate {num(rate, 3)}, 95% CI {num(ci[0], 3)} to {num(ci[1], 3)}"
        out.append(f'<p>Win rate <b>{num(rate, 3)}</b> (95% confidence interval {num(ci[0], 3)} to {num(ci[1], 3)}; '
                   "ties count half, 0.5 is parity).</p>")
        out.append(interval_bar("win-rate", rate, ci[0], ci[1], label=f"Bar chart: {caption}",
                                colour=RUNG_COLOURS["fine_tuned"], caption=caption))
    errors = human.get("errors") or {}
    if errors:
        columns = _ladder(errors)
        totals: dict[str, int] = {}
        for counts in columns.values():
            for category, count in counts.items():
                totals[category] = totals.get(category, 0) + (count if _is_number(count) else 0)
        head = "".join(f'<th class="n">{esc(RUNG_NAMES.get(r, r))}</th>' for r in columns)
        rows = []
        for category in sorted(totals, key=lambda c: (-totals[c], c)):
            cells = "".join(f'<td class="n">{esc(num(columns[r].get(category, 0)))}</td>' for r in columns)
            rows.append(f"<tr><th>{esc(category)}</th>{cells}</tr>")
        out.append(f'<h3>Error categories</h3><table id="errors"><tr><th>category</th>{head}</tr>'
                   f'{"".join(rows)}</table>')
    return "".join(out)


def _matches(output: str, reference: str, kind: str | None) -> bool:
    """The output counts as the reference (for a label: its first line, as accuracy reads it)."""
    if kind == "classification":
        output = output.strip().split("\n", 1)[0] if output.strip() else ""
    return normalise(output) == normalise(reference)


def _breakable(text: object) -> str:
    """Escaped text that may wrap after an underscore (labels like refund_not_showing_up)."""
    return esc(text).replace("_", "_<wbr>")


def _samples(results: dict[str, Any], rungs: dict[str, dict[str, Any]]) -> str:
    samples = results.get("samples") or []
    if not samples:
        return ""
    named = {r for s in samples for r in s.get("outputs") or {}}
    columns = [r for r in rungs if r in named] + sorted(named - set(rungs))
    kind = (results.get("task") or {}).get("kind")
    head = "".join(f"<th>{esc(RUNG_NAMES.get(r, r))}</th>" for r in columns)
    rows = []
    for s in samples:
        reference = str(s.get("reference", ""))
        cells = []
        for r in columns:
            output = (s.get("outputs") or {}).get(r)
            if output is None:
                cells.append('<td class="muted">—</td>')
                continue
            hit = _matches(str(output), reference, kind)
            cells.append(f'<td class="{"hit" if hit else "miss"}"><div>{_breakable(output)}</div></td>')
        texts = "".join(f"<td><div>{_breakable(t)}</div></td>" for t in (s.get("input", ""), reference))
        rows.append(f'<tr><td class="n">{esc(s.get("index", ""))}</td>{texts}{"".join(cells)}</tr>')
    return (f'<p class="note">The first {len(samples)} eval examples; outputs that match the reference are green. '
            'All predictions are in predictions.jsonl.</p>'
            '<table class="samples" id="samples-table"><colgroup><col class="index"><col class="input"></colgroup>'
            f'<tr><th class="n">#</th><th>input</th><th>reference</th>{head}</tr>{"".join(rows)}</table>')
