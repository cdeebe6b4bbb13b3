"""report.html: chart geometry, sections, escaping and the atomic write, then the page
opened in a real headless browser (Debian's chromium) to check that its charts render."""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import time
import zlib
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest

from ftspec.evaluate import report, svg

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "tests" / "data" / "results-example"
HOSTILE = "</td><script>alert(1)</script>"


@pytest.fixture
def results() -> dict:
    return json.loads((EXAMPLE / "results.json").read_text())


@pytest.fixture
def records() -> list[dict]:
    return report.read_records(EXAMPLE / "metrics.jsonl")


@pytest.fixture
def run_dir(tmp_path) -> Path:
    run = tmp_path / "run"
    shutil.copytree(EXAMPLE, run)
    with open(run / "metrics.jsonl", "a") as f:
        f.write('{"step": 210, "train_lo')  # a run killed mid-line
    return run


class Elements(HTMLParser):
    """Start tags with their attributes, and the text, as a browser's parser sees them."""

    def __init__(self, text: str):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag and all(attrs[k] in (a.get(k) or "").split() for k in attrs)]


def chart(page: str, chart_id: str) -> str:
    match = re.search(rf'<svg class="chart" id="{chart_id}".*?</svg>', page, re.S)
    assert match, f"no chart {chart_id}"
    return match.group(0)


def test_the_example_follows_the_schema(results):
    schema = json.loads((ROOT / "schemas" / "results.schema.json").read_text())
    jsonschema.validate(results, schema)


# --- geometry -------------------------------------------------------------------------


def test_bar_heights_are_proportional_to_values():
    series = [("a", "A", "#000"), ("b", "B", "#111"), ("c", "C", "#222")]
    drawn = svg.bar_chart("t", ["m"], series, {("m", "a"): 1.0, ("m", "b"): 0.5, ("m", "c"): 0.25}, label="t")
    bars = Elements(drawn).find("rect", **{"class": "mark"})
    heights = {b["data-series"]: float(b["height"]) for b in bars}
    bottoms = {round(float(b["y"]) + float(b["height"]), 6) for b in bars}
    assert heights["b"] == pytest.approx(heights["a"] / 2)
    assert heights["c"] == pytest.approx(heights["a"] / 4)
    assert len(bottoms) == 1  # all stand on the same axis


def test_ladder_draws_a_bar_per_rung_and_bounded_metric_in_ladder_order(results):
    results["rungs"] = {k: results["rungs"][k] for k in ("fine_tuned", "larger", "base", "prompted_base")}
    ladder = chart(report.render(results, []), "ladder")
    bars = Elements(ladder).find("rect", **{"class": "mark"})
    assert [b["data-group"] for b in bars[:4]] == ["accuracy"] * 4
    assert [b["data-series"] for b in bars[:4]] == ["base", "prompted_base", "larger", "fine_tuned"]
    assert {b["data-group"] for b in bars} == {"accuracy", "macro_f1", "format_compliance"}
    full = next(float(b["height"]) for b in bars if float(b["data-value"]) == 1.0)  # larger's format_compliance
    for b in bars:  # one scale for every bar, with its value written on it
        assert float(b["height"]) == pytest.approx(full * float(b["data-value"]), abs=0.006)
        assert f">{float(b['data-value']):.2f}</text>" in ladder


def test_eval_loss_and_perplexity_go_to_the_table_not_the_chart(results):
    page = report.render(results, [])
    ladder = chart(page, "ladder")
    assert "eval_loss" not in ladder and "perplexity" not in ladder
    table = re.search(r'<table id="rungs">.*?</table>', page, re.S).group(0)
    assert ">eval_loss<" in table and ">30.33<" in table and ">0.412<" in table


def test_loss_curves_have_one_point_per_logged_step(results, records):
    page = report.render(results, records)
    lines = Elements(chart(page, "loss-curves")).find("polyline", **{"class": "mark"})
    points = {line["data-series"]: line["points"].split() for line in lines}
    assert len(points["train loss"]) == 20 and len(points["validation loss"]) == 8
    xs = [float(p.split(",")[0]) for p in points["train loss"]]
    assert xs == sorted(xs)
    assert "best checkpoint (step 150)" in page


def test_nice_ticks_cover_the_range():
    assert svg.nice_ticks(0, 200, 6) == [0, 50, 100, 150, 200]
    ticks = svg.nice_ticks(0.37, 2.51)
    assert ticks[0] <= 0.37 and ticks[-1] >= 2.51 and 4 <= len(ticks) <= 7
    assert len(svg.nice_ticks(1.0, 1.0)) >= 2  # a flat line still gets an axis


def test_win_rate_bar_and_its_error_bar(results):
    drawn = chart(report.render(results, []), "win-rate")
    bar = Elements(drawn).find("rect", **{"class": "mark"})[0]
    error = Elements(drawn).find("path", **{"class": "errorbar"})[0]
    assert float(bar["data-value"]) == 0.73
    assert (float(error["data-low"]), float(error["data-high"])) == (0.5928, 0.8328)


# --- sections -------------------------------------------------------------------------


def test_header_verdict_and_acceptance_table(results):
    page = report.render(results, [])
    assert '<div class="verdict failed" id="verdict">FAILED' in page
    assert "3 of 4 criteria met" in page
    results["passed"] = True
    results["acceptance"][1].update(value=None, passed=None)
    page = report.render(results, [])
    assert '<div class="verdict passed" id="verdict">PASSED' in page
    assert "not measured" in re.search(r'<table id="acceptance-table">.*?</table>', page, re.S).group(0)
    assert ">0.6167<" in page and ">0.99<" in page
    results["acceptance"][3].update(value=None, passed=None, pending="human review: `ftspec review export`")
    assert "pending human review: `ftspec review export`" in report.render(results, [])


def test_a_baseline_says_it_has_no_training_curves(results):
    baseline = copy.deepcopy(results)
    baseline.update(kind="baseline", acceptance=[], passed=True, overfitting=[])
    for key in ("training", "human"):
        baseline.pop(key)
    baseline["rungs"] = {k: baseline["rungs"][k] for k in ("base", "prompted_base")}
    page = report.render(baseline, [])
    assert "No training curves (baseline only)." in page
    assert 'id="loss-curves"' not in page
    assert ">BASELINE<" in page and "FAILED" not in page and "PASSED" not in page
    assert 'id="confusion"' in page  # the base rung's, as the last rung that has one


def test_records_without_losses_say_so(results):
    page = report.render(results, [{"step": 10, "learning_rate": 0.0002}])
    assert "holds no train_loss or eval_loss" in page and 'id="loss-curves"' not in page


def test_human_section_only_when_reviewed(results):
    assert 'id="human"' in report.render(results, [])
    del results["human"]
    page = report.render(results, [])
    assert 'id="human"' not in page and "win-rate" not in page and "Human review" not in page


def test_confusion_is_the_fine_tuned_rungs_and_per_class_compares_rungs(results):
    page = report.render(results, [])
    cells = Elements(re.search(r'<table class="chart heat" id="confusion".*?</table>', page, re.S).group(0))
    counts = [int(t) for t in cells.text if t.strip().isdigit()]
    assert sum(counts) == 120 and len(cells.find("td", **{"class": "mark"})) == 49
    assert "The fine-tuned rung." in page
    per_class = re.search(r'<table id="per-class-table">.*?</table>', page, re.S).group(0)
    assert "F1 fine-tuned" in per_class and "F1 base" in per_class
    results["task"]["kind"] = "extraction"
    assert 'id="confusion"' not in report.render(results, [])


def test_overfitting_signals_are_warning_boxes(results):
    page = report.render(results, [])
    boxes = Elements(page).find("div", **{"class": "warning"})
    assert [b["data-signal"] for b in boxes] == ["validation_loss_rising", "regurgitation"]
    results["overfitting"] = []
    assert "No sign of overfitting was seen." in report.render(results, [])


def test_samples_highlight_outputs_equal_to_the_reference(results):
    page = report.render(results, [])
    table = re.search(r'<table class="samples".*?</table>', page, re.S).group(0)
    rows = table.split("<tr>")[2:]
    assert len(rows) == 8
    first = Elements(rows[0]).find("td")
    assert [c.get("class") for c in first[3:]] == ["miss", "hit", "hit", "hit"]
    # a label's first line is what accuracy reads: "top_up_failed\n(the payment ...)" matches
    assert [c.get("class") for c in Elements(rows[2]).find("td")[3:]][1] == "hit"


# --- safety ---------------------------------------------------------------------------


def test_every_string_from_the_results_is_escaped(results):
    evil = '<img src=x onerror=alert(2)>"'
    results["spec"]["name"] = HOSTILE
    results["task"]["labels"][0] = evil
    results["rungs"]["fine_tuned"]["confusion"]["labels"][0] = evil
    results["rungs"]["fine_tuned"]["per_class"][evil] = results["rungs"]["fine_tuned"]["per_class"]["card_arrival"]
    results["rungs"]["fine_tuned"]["metrics"][evil] = 0.5
    results["rungs"]["fine_tuned"]["model"] = evil
    results["acceptance"][0]["criterion"] = HOSTILE
    results["overfitting"][0]["message"] = HOSTILE
    results["human"]["errors"]["fine_tuned"][HOSTILE] = 1
    results["samples"][0].update(input=HOSTILE, reference=evil)
    page = report.render(results, [])
    parsed = Elements(page)
    assert len(parsed.find("script")) == 1  # the report's own, nothing injected
    assert not parsed.find("img")
    assert not any(k.startswith("on") for _, attrs in parsed.tags for k in attrs)
    assert HOSTILE not in page and "<img" not in page
    assert "&lt;/td&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "".join(parsed.text).count(HOSTILE) >= 4  # shown as text: title, h1, criterion, message, ...


def test_only_the_reports_own_script_may_run():
    page = report.render({"spec": {"name": "x"}, "rungs": {}}, [])
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    assert "default-src 'none'" in policy and f"'sha256-{report.SCRIPT_HASH}'" in policy
    assert not re.search(r"\b(src|href)=\"(https?:)?//", page)  # nothing fetched: works offline, mailable


def test_report_imports_nothing_heavy():
    probe = ("import sys; import ftspec.evaluate.report; "
             "print(sorted({m.split('.')[0] for m in sys.modules} & "
             "{'torch', 'transformers', 'numpy', 'matplotlib', 'trl', 'peft', 'datasets'}))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.stdout.strip() == "[]", out.stderr


# --- files ----------------------------------------------------------------------------


def test_read_records_skips_a_cut_line(run_dir):
    records = report.read_records(run_dir / "metrics.jsonl")
    assert len(records) == 28 and all("step" in r for r in records)
    assert report.read_records(run_dir / "absent.jsonl") == []


def test_write_is_atomic_and_renders_the_run(run_dir, results, records, monkeypatch):
    calls = []
    real = report.atomic_write_text
    monkeypatch.setattr(report, "atomic_write_text", lambda path, text: (calls.append(path), real(path, text)))
    (run_dir / "report.html").write_text("old")
    path = report.write(run_dir)
    assert path == run_dir / "report.html" and calls == [path]
    assert path.read_text() == report.render(results, records)
    assert sorted(p.name for p in run_dir.iterdir()) == ["metrics.jsonl", "report.html", "results.json"]


def test_write_without_metrics_jsonl(run_dir):
    (run_dir / "metrics.jsonl").unlink()
    assert "No training curves (baseline only)." in report.write(run_dir).read_text()


# --- a real browser -------------------------------------------------------------------


def browser() -> str:
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("chromium is missing: install Debian's chromium (apt-get install chromium), as the CI script does")
    pytest.skip("chromium is not installed (Debian: apt-get install chromium)")


def headless(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    command = [
        browser(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
        f"--user-data-dir={tmp_path / 'chromium-profile'}", *args,
    ]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc


def png_pixels(path: Path) -> tuple[int, int, bytes]:
    """Width, height and the (still filtered) scanlines of a PNG, with the standard library."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, pos = {}, 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunks.setdefault(kind, []).append(data[pos + 8:pos + 8 + length])
        pos += 12 + length
    width, height = struct.unpack(">II", chunks[b"IHDR"][0][:8])
    return width, height, zlib.decompress(b"".join(chunks[b"IDAT"]))


def test_charts_render_in_a_headless_browser(run_dir, tmp_path):
    page = report.write(run_dir)
    started = time.monotonic()
    dom = headless(tmp_path, "--dump-dom", page.as_uri()).stdout
    rendered = re.search(r'data-charts-rendered="([^"]*)"', dom)
    assert rendered, "the report's script did not run (Content-Security-Policy hash?)"
    marks = dict(item.split(":") for item in rendered.group(1).split(","))
    # 4 rungs x 3 metrics; train and validation loss; 7 x 7 labels with (other); bar and error bar
    assert {k: int(v) for k, v in marks.items()} == {"ladder": 12, "loss-curves": 2, "confusion": 49, "win-rate": 2}
    assert len(re.findall(r"<script\b", dom)) == 1
    assert "&lt;/td&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in dom

    shot = tmp_path / "report.png"
    headless(tmp_path, f"--screenshot={shot}", "--window-size=1200,3000", page.as_uri())
    width, height, scanlines = png_pixels(shot)
    assert (width, height) == (1200, 3000)
    assert len(set(scanlines[::7])) > 64  # not a blank page: many colours
    print(f"browser checks took {time.monotonic() - started:.1f}s")
