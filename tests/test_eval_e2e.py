"""The evaluation harness for real, on a tiny local model: `ftspec baseline`, then `ftspec run`
with every rung (a larger local model and an OpenAI-compatible endpoint on 127.0.0.1),
acceptance deciding the exit code both ways, and blind review packets round-tripped."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("trl", reason="the training stack is installed by the README's test command")

import jsonschema  # noqa: E402
from chat_server import ChatServer, keyword_router  # noqa: E402
from tinymodel import build_tiny_model  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MINI = Path(__file__).parent / "data" / "banking77-mini"
LABELS = ["card_arrival", "lost_or_stolen_card", "top_up_failed"]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("tiny") / "model")


def write_spec(folder: Path, model: Path, *, larger: str, accept: str) -> Path:
    spec = folder / "mini.ftspec"
    spec.write_text(f"""\
ftspec 1
task "mini-intents" {{
  kind   = classification
  labels = {json.dumps(LABELS)}
}}
data {{
  train      = csv("{MINI / 'train.csv'}", input = "text", output = "category")
  eval       = csv("{MINI / 'test.csv'}", input = "text", output = "category")
  validation = 15% stratified
  system     = "Route the message to an intent."
}}
model {{ base = "{model}" }}
adapter lora {{ r = 8  targets = [q_proj, v_proj] }}
training {{ epochs = 1  batch_size = 8  grad_accum = 1 }}
eval {{
  max_new_tokens = 6
  compare {{ prompted_base {{ shots = 3 }}  {larger} }}
  {accept}
}}
""", encoding="utf-8")
    return spec


def ftspec(*args: str, cwd: Path, env: dict | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ftspec", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=timeout, env={**os.environ, **(env or {})})


def schema(name: str) -> dict:
    return json.loads((ROOT / "schemas" / name).read_text())


def test_baseline_then_run_measures_every_rung_and_the_criteria_decide(tmp_path, tiny_model):
    with ChatServer(keyword_router(LABELS), key="sk-local") as server:
        larger = f'larger {{ model = "big"  endpoint = "{server.url}"  api_key_env = "FTSPEC_TEST_KEY" }}'
        spec = write_spec(tmp_path, tiny_model, larger=larger,
                          accept="accept larger.accuracy >= prompted_base.accuracy + 0.5\n"
                                 "  accept fine_tuned.format_compliance >= base.format_compliance")
        env = {"FTSPEC_TEST_KEY": "sk-local"}

        measured = ftspec("baseline", str(spec), "--output", "runs/base", cwd=tmp_path, env=env)
        assert measured.returncode == 0, measured.stderr
        record = json.loads((tmp_path / "mini.baseline.json").read_text())
        assert record["kind"] == "baseline" and set(record["rungs"]) == {"base", "prompted_base"}
        assert record["rungs"]["prompted_base"]["shots"] == 3 and record["rungs"]["base"]["shots"] == 0
        assert len(record["outputs"]["prompted_base"]) == 30
        jsonschema.validate(record, schema("results.schema.json"))
        assert server.requests == []  # a baseline measures base and prompted base only
        assert (tmp_path / "runs" / "base" / "report.html").is_file()

        # The decision rules now use the measurement, and say so.
        linted = ftspec("lint", "--no-data", "--format", "json", str(spec), cwd=tmp_path)
        assert not [d for d in json.loads(linted.stdout)["diagnostics"] if d["code"] in ("DE004", "DE008")]

        run = ftspec("run", str(spec), "--output", "runs/one", cwd=tmp_path, env=env)
        assert run.returncode == 0, run.stderr + (tmp_path / "runs/one/run.log").read_text()[-3000:]
        assert len(server.requests) == 30  # the larger rung: one request per eval example
        assert {r["body"]["model"] for r in server.requests} == {"big"}

    out = tmp_path / "runs" / "one"
    results = json.loads((out / "results.json").read_text())
    jsonschema.validate(results, schema("results.schema.json"))
    assert list(results["rungs"]) == ["base", "prompted_base", "larger", "fine_tuned"]
    rungs = results["rungs"]
    # base and prompted_base were reused from the baseline record: same outputs, same scores
    assert rungs["base"]["source"] == rungs["prompted_base"]["source"] == "baseline"
    assert rungs["prompted_base"]["metrics"]["accuracy"] == record["rungs"]["prompted_base"]["metrics"]["accuracy"]
    assert results["baseline"]["file"].endswith("mini.baseline.json")
    # the keyword router answers every eval message with a label: it is right on most
    assert rungs["larger"]["metrics"]["format_compliance"] == 1.0 and rungs["larger"]["metrics"]["accuracy"] > 0.5
    assert rungs["larger"]["endpoint"] == server.url and "eval_loss" in rungs["larger"]["unavailable"]
    for rung in ("base", "fine_tuned"):
        assert rungs[rung]["metrics"]["perplexity"] > 1 and rungs[rung]["metrics"]["eval_loss"] > 0
    matrix = rungs["fine_tuned"]["confusion"]
    assert matrix["labels"] == LABELS + ["(other)"] and sum(map(sum, matrix["matrix"])) == 30
    assert [v["passed"] for v in results["acceptance"]] == [True, True] and results["passed"] is True
    assert results["eval_set"]["examples"] == 30 and results["decoding"]["strategy"] == "greedy"

    predictions = [json.loads(line) for line in (out / "predictions.jsonl").read_text().splitlines()]
    assert len(predictions) == 30
    assert set(predictions[0]["outputs"]) == {"base", "prompted_base", "larger", "fine_tuned"}
    assert predictions[0]["outputs"]["prompted_base"] == record["outputs"]["prompted_base"][0]
    assert (out / "report.html").is_file()
    assert "larger: accuracy" in run.stderr and "acceptance: PASSED" in run.stderr

    # A rung name the spec does not have is refused before any work.
    build = tmp_path / "build" / "mini-intents"
    wrong = subprocess.run([sys.executable, str(build / "eval.py"), "--output", "runs/x", "--rungs", "fine-tuned"],
                           capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert wrong.returncode == 2 and "--rungs 'fine-tuned': this spec's rungs are base, prompted_base" in wrong.stderr

    # The spec changes after the measurement: lint says the record no longer holds, and eval
    # measures again instead of reusing it, saying why.
    spec.write_text(spec.read_text().replace("Route the message to an intent.", "Name the intent."))
    linted = ftspec("lint", "--no-data", str(spec), cwd=tmp_path)
    assert "DE008" in linted.stdout and "the system prompt changed" in linted.stdout
    assert ftspec("compile", str(spec), cwd=tmp_path).returncode == 0
    again = subprocess.run([sys.executable, str(build / "eval.py"), "--output", "runs/check", "--rungs", "base",
                            "--baseline", "mini.baseline.json"], capture_output=True, text=True, cwd=tmp_path,
                           timeout=300)
    assert again.returncode == 0, again.stderr
    assert "not reusing mini.baseline.json: the system prompt changed" in again.stdout
    assert json.loads((tmp_path / "runs" / "check" / "results.json").read_text())["rungs"]["base"]["source"] \
        == "measured"


def test_a_failing_criterion_fails_eval_and_run(tmp_path, tiny_model):
    # A local "larger" model (the same tiny one): no endpoint, generation and loss on the CPU.
    spec = write_spec(tmp_path, tiny_model, larger=f'larger {{ model = "{tiny_model}" }}',
                      accept="accept fine_tuned.accuracy >= larger.accuracy + 0.5")
    run = ftspec("run", str(spec), "--output", "runs/two", cwd=tmp_path)
    out = tmp_path / "runs" / "two"
    assert run.returncode == 1, run.stderr + (out / "run.log").read_text()[-3000:]
    results = json.loads((out / "results.json").read_text())
    (verdict,) = results["acceptance"]
    assert verdict["passed"] is False and verdict["threshold"] == pytest.approx(
        results["rungs"]["larger"]["metrics"]["accuracy"] + 0.5)
    assert results["passed"] is False and "eval_loss" in results["rungs"]["larger"]["metrics"]
    assert "acceptance: FAILED (fine_tuned.accuracy >= larger.accuracy + 0.5)" in run.stderr

    # The same run, judged by a spec whose criterion holds: the compiled eval.py alone exits 0.
    passing = write_spec(tmp_path, tiny_model, larger=f'larger {{ model = "{tiny_model}" }}',
                         accept="accept fine_tuned.accuracy >= larger.accuracy - 1")
    assert ftspec("compile", str(passing), "-o", "b2", cwd=tmp_path).returncode == 0
    again = subprocess.run([sys.executable, "b2/eval.py", "--output", "runs/two"], capture_output=True, text=True,
                           cwd=tmp_path, timeout=300)
    assert again.returncode == 0, again.stderr
    assert json.loads((out / "results.json").read_text())["passed"] is True

    # Review: export a blind packet, judge it as a reviewer would, import, unblind.
    packet_dir = tmp_path / "review"
    exported = ftspec("review", "export", "runs/two", "--out", "review", "--against", "larger", "--pairs", "10",
                      "--seed", "7", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    packet = json.loads((packet_dir / "packet.json").read_text())
    key = json.loads((packet_dir / "key.json").read_text())
    assert "fine_tuned" not in (packet_dir / "packet.json").read_text()
    judgments = json.loads((packet_dir / "judgments.json").read_text())
    judgments["reviewer"] = "tester"
    # The reviewer prefers the side that equals the reference, else side b; the test, knowing
    # the key, works out the expected tally independently of ftspec's unblinding.
    sides = {item["id"]: item["fine_tuned"] for item in key["items"]}
    wins = losses = 0
    for item, judgment in zip(packet["items"], judgments["judgments"], strict=True):
        assert judgment["id"] == item["id"]
        preferred = "a" if item["a"] == item["reference"] else "b"
        judgment["preferred"] = preferred
        judgment["errors"] = {"a": [] if preferred == "a" else ["format"], "b": []}
        wins += preferred == sides[item["id"]]
        losses += preferred != sides[item["id"]]
    (packet_dir / "judgments.json").write_text(json.dumps(judgments))
    imported = ftspec("review", "import", "runs/two", "review/judgments.json", "--key", "review/key.json",
                      cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    human = json.loads((out / "results.json").read_text())["human"]
    assert (human["wins"], human["losses"], human["ties"]) == (wins, losses, 0)
    assert human["against"] == "larger" and human["judged"] == len(packet["items"])
    assert f"{wins} wins, {losses} losses" in imported.stdout
    assert "human review" in (out / "report.html").read_text().lower()
