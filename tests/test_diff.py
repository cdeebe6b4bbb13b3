"""`ftspec diff`: the semantic diff of two specs, its consequences, and the git diff driver."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from ftspec import diff
from ftspec.lint import analyse

ROOT = Path(__file__).resolve().parent.parent

BASE = """\
ftspec 1

# A spec with most values written, to change one at a time.
task "intents" {
  kind   = classification
  goal   = "Route a message to its intent"
  labels = ["a", "b"]
}

decision { why = [latency, cost]  retrain = quarterly }

data {
  train      = jsonl("data/train.jsonl")
  eval       = jsonl("data/eval.jsonl")
  validation = 15% stratified
}

quality { contamination = error  near_duplicates = warn 0.9 }

sizing = recommended

model { base = "smollm2-135m-instruct" }

adapter lora { r = 16  dropout = 0.05 }

training {
  learning_rate = 2e-4  epochs = 3  batch_size = 4  grad_accum = 4
  early_stopping { patience = 3 }
}

eval {
  automated { metrics = [accuracy, macro_f1, format_compliance] }
  compare { prompted_base { shots = 5 } }
  accept fine_tuned.accuracy >= prompted_base.accuracy + 0.10
  accept fine_tuned.format_compliance >= 0.99
  max_new_tokens = 64
}
"""


def spec(text: str):
    built, diagnostics = analyse(text, "s.ftspec")
    assert built is not None, [str(d.span) + d.message for d in diagnostics]
    return built


def edit(old: str, new: str) -> str:
    assert BASE.count(old) == 1, old
    return BASE.replace(old, new)


RETRAIN, BASELINE, RESULTS, VERDICTS = "retrain", "baseline", "results", "verdicts"

# (edit: old text -> new text, the changed path, a consequence it must name, what it invalidates)
CASES = [
    (('eval       = jsonl("data/eval.jsonl")', 'eval       = jsonl("data/eval-v2.jsonl")'), "data.eval",
     "earlier results are not comparable (eval set changed)", {BASELINE, RESULTS}),
    (("max_new_tokens = 64", "max_new_tokens = 128"), "eval.max_new_tokens",
     "earlier results are not comparable (decoding changed)", {BASELINE, RESULTS}),
    (("metrics = [accuracy, macro_f1, format_compliance]", "metrics = [accuracy, format_compliance]"),
     "eval.automated.metrics", "earlier results are not comparable (metrics changed)", {RESULTS}),
    (('train      = jsonl("data/train.jsonl")', 'train      = jsonl("data/train-v2.jsonl")'), "data.train",
     "retrain needed (training data changed)", {RETRAIN, BASELINE}),
    (('base = "smollm2-135m-instruct"', 'base = "Qwen/Qwen2.5-0.5B-Instruct"'), "model.base",
     "a fresh baseline is needed (base model changed)", {RETRAIN, BASELINE, RESULTS}),
    (("r = 16", "r = 64"), "adapter.r",
     "more capacity, more compute and memory; watch for overfitting on small data", {RETRAIN}),
    (("r = 16", "r = 8"), "adapter.r", "less capacity", {RETRAIN}),
    (("r = 16", "r = 16  alpha = 64"), "adapter.alpha", "the update is scaled by alpha / r", {RETRAIN}),
    (("dropout = 0.05", "dropout = 0.01"), "adapter.dropout", "less regularization", {RETRAIN}),
    (("adapter lora {", "adapter qlora {"), "adapter.method", "4-bit", {RETRAIN}),
    (("adapter lora { r = 16  dropout = 0.05 }", "adapter full { }"), "adapter.method",
     "full fine-tuning updates every parameter", {RETRAIN}),
    (("learning_rate = 2e-4", "learning_rate = 5e-4"), "training.learning_rate",
     "risk of catastrophic forgetting", {RETRAIN}),
    (("learning_rate = 2e-4", "learning_rate = 1e-4"), "training.learning_rate", "slower learning", {RETRAIN}),
    (("epochs = 3", "epochs = 5"), "training.epochs", "watch for overfitting", {RETRAIN}),
    (("batch_size = 4", "batch_size = 8"), "training.batch_size", "retrain needed (batch size changed)", {RETRAIN}),
    (("early_stopping { patience = 3 }", "early_stopping = off"), "training.early_stopping",
     "early stopping is off", {RETRAIN}),
    (("early_stopping { patience = 3 }", "save_best = false"), "training.save_best",
     "the last checkpoint is kept, not the best", {RETRAIN}),
    (("grad_accum = 4", "grad_accum = 4  report_to = tensorboard"), "training.report_to",
     "nothing to retrain", set()),
    (("grad_accum = 4", "grad_accum = 4  gradient_checkpointing = true"), "training.gradient_checkpointing",
     "not what it learns", set()),
    (("contamination = error", "contamination = off"), "quality.contamination",
     "data problems will not be caught", set()),
    (("near_duplicates = warn 0.9", "near_duplicates = warn 0.8"), "quality.near_duplicates",
     "the near_duplicates check changed", set()),
    (("quality { contamination", "quality { max_tokens = 512  contamination"), "quality.max_tokens",
     "retrain needed (max_tokens changed)", {RETRAIN}),
    (("accept fine_tuned.accuracy >= prompted_base.accuracy + 0.10",
      "accept fine_tuned.accuracy >= prompted_base.accuracy + 0.05"), "eval.accept",
     "the bar changed: compare verdicts with care", {VERDICTS}),
    (("accept fine_tuned.format_compliance >= 0.99\n", ""), "eval.accept",
     "removed: fine_tuned.format_compliance >= 0.99", {VERDICTS}),
    (("shots = 5", "shots = 3"), "eval.compare.prompted_base.shots",
     "a fresh baseline is needed (prompted base rung changed)", {BASELINE}),
    (("compare { prompted_base { shots = 5 } }", "compare { base = off  prompted_base { shots = 5 } }"),
     "eval.compare.base", "the base model is not measured", {BASELINE}),
    (("max_new_tokens = 64", "max_new_tokens = 64  human { blind_pairs = 40 }"), "eval.human",
     "the human evaluation plan changed", set()),
    (('validation = 15% stratified', 'validation = 20% stratified'), "data.validation.fraction",
     "retrain needed (validation split changed)", {RETRAIN}),
    (('validation = 15% stratified', 'validation = 15% stratified\n  system = "Be brief."'), "data.system",
     "earlier results are not comparable (system prompt changed)", {RETRAIN, BASELINE, RESULTS}),
    (('labels = ["a", "b"]', 'labels = ["a", "b", "c"]'), "task.labels",
     "retrain needed (label set changed)", {RETRAIN, BASELINE, RESULTS}),
    (('goal   = "Route a message to its intent"', 'goal   = "Route a message"'), "task.goal",
     "documentation only", set()),
    (('task "intents"', 'task "intents-v2"'), "task.name", "build and run folders move", set()),
    (("why = [latency, cost]", "why = [latency]"), "decision.why", "the decision record changed", set()),
    (("sizing = recommended", "sizing = minimum"), "sizing", "a lower bar", set()),
]


@pytest.mark.parametrize("change, path, consequence, invalidates", CASES,
                         ids=[f"{c[1]}:{c[0][1][:24]}" for c in CASES])
def test_each_change_is_explained(change, path, consequence, invalidates):
    changes = {c.path: c for c in diff.semantic_diff(spec(BASE), spec(edit(*change)))}
    assert path in changes, list(changes)
    found = changes[path]
    assert found.semantic
    assert any(consequence in line for line in found.consequences), found.consequences
    assert set(found.invalidates) == invalidates


def test_derived_values_follow_and_say_so():
    changes = {c.path: c for c in diff.semantic_diff(spec(BASE), spec(edit("r = 16", "r = 64")))}
    alpha = changes["adapter.alpha"]
    assert (alpha.old, alpha.new, alpha.old_origin, alpha.new_origin) == (32, 128, "derived", "derived")
    assert "derived: alpha = 2 * r" in alpha.consequences


def test_keys_of_another_method_are_reported_as_not_applying():
    changes = {c.path: c for c in diff.semantic_diff(
        spec(BASE), spec(edit("adapter lora { r = 16  dropout = 0.05 }", "adapter full { }")))}
    assert changes["adapter.r"].new == diff.ABSENT
    assert changes["adapter.r"].consequences == ["no longer applies"]
    assert "training.learning_rate" not in changes  # written 2e-4 stays: a written value is never re-derived


def test_comments_layout_and_order_are_no_change(tmp_path):
    moved = BASE.replace("# A spec with", "# Another comment.\n# A spec with")
    moved = moved.replace("r = 16  dropout = 0.05", "\n  r       = 16   # rank\n  dropout = 0.05\n")
    moved = moved.replace("sizing = recommended\n", "") + "\nsizing = recommended   # moved to the end\n"
    moved = moved.replace("why = [latency, cost]", "why = [cost, latency]")  # a set: order is moot
    accepts = ("  accept fine_tuned.accuracy >= prompted_base.accuracy + 0.10\n"
               "  accept fine_tuned.format_compliance >= 0.99\n")
    moved = moved.replace(accepts, "".join(reversed(accepts.splitlines(keepends=True))))
    moved = moved.replace("+ 0.10", "+ 10%")
    assert moved != BASE
    assert diff.semantic_diff(spec(BASE), spec(moved)) == []
    old, new = tmp_path / "old.ftspec", tmp_path / "new.ftspec"
    old.write_text(BASE)
    new.write_text(moved)
    assert run(old, new) == (0, "no semantic change\n", "")


def test_a_default_written_out_is_reported_but_not_a_change(tmp_path):
    written = edit("grad_accum = 4", "grad_accum = 4  warmup = 10%  seed = 42")
    changes = diff.semantic_diff(spec(BASE), spec(written))
    assert [(c.path, c.semantic) for c in changes] == [("training.warmup", False), ("training.seed", False)]
    assert changes[0].consequences == ["no semantic change: now written explicitly: it no longer follows the default"]
    back = diff.semantic_diff(spec(written), spec(BASE))
    assert back[0].consequences == ["no semantic change: now left to the default"]
    old, new = tmp_path / "old.ftspec", tmp_path / "new.ftspec"
    old.write_text(BASE)
    new.write_text(written)
    code, out, _ = run(old, new)
    assert code == 0
    assert "training.warmup: 0.1 (default) -> 0.1 (written)" in out
    assert out.endswith("no semantic change\n")


def run(*argv, fmt: str = "text") -> tuple[int, str, str]:
    import contextlib
    import io

    args = argparse.Namespace(files=[str(a) for a in argv], format=fmt, textconv=None)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = diff.main(args)
    return code, out.getvalue(), err.getvalue()


def test_text_output_and_exit_1(tmp_path):
    old, new = tmp_path / "old.ftspec", tmp_path / "new.ftspec"
    old.write_text(BASE)
    new.write_text(edit("r = 16", "r = 64"))
    code, out, _ = run(old, new)
    assert code == 1
    assert out.splitlines() == [
        "adapter.r: 16 -> 64 (written)",
        "  - retrain needed (LoRA rank changed)",
        "  - more capacity, more compute and memory; watch for overfitting on small data "
        "(guide: Parameter-Efficient Fine-Tuning)",
        "adapter.alpha: 32 -> 128 (derived)",
        "  - retrain needed (LoRA alpha changed)",
        "  - derived: alpha = 2 * r",
        "2 changes; invalidates: the trained model (retrain: ftspec run)",
    ]


def test_json_output_has_stable_keys(tmp_path):
    old, new = tmp_path / "old.ftspec", tmp_path / "new.ftspec"
    old.write_text(BASE)
    new.write_text(edit("eval       = jsonl(\"data/eval.jsonl\")", "eval       = jsonl(\"data/eval-v2.jsonl\")"))
    code, out, _ = run(old, new, fmt="json")
    assert code == 1
    doc = json.loads(out)
    assert list(doc) == ["format_version", "old", "new", "semantic", "changes", "invalidates"]
    assert doc["format_version"] == 1 and doc["semantic"] is True
    assert doc["invalidates"] == ["baseline", "results"]
    (change,) = doc["changes"]
    assert list(change) == ["path", "old", "new", "old_origin", "new_origin", "consequences", "invalidates",
                            "semantic"]
    assert change["old"] == ['jsonl("data/eval.jsonl")'] and change["new_origin"] == "user"


def test_broken_or_missing_file_exits_2_with_location(tmp_path):
    good, bad = tmp_path / "good.ftspec", tmp_path / "bad.ftspec"
    good.write_text(BASE)
    bad.write_text(edit("epochs = 3", "epochs = three"))
    code, out, err = run(good, bad)
    assert code == 2 and out == ""
    lines = edit("epochs = 3", "epochs = three").splitlines()
    line = next(i for i, text in enumerate(lines, start=1) if "three" in text)
    assert f"{bad}:{line}:{lines[line - 1].index('three') + 1}: SP002" in err
    bad.write_text(BASE.replace("task \"intents\" {", "task \"intents\" {{"))
    assert run(good, bad)[0] == 2
    code, _, err = run(good, tmp_path / "missing.ftspec")
    assert code == 2 and "missing.ftspec: cannot read" in err
    assert run(good)[0] == 2  # one file only


def test_textconv_listing_is_canonical(tmp_path, capsys):
    a, b = tmp_path / "a.ftspec", tmp_path / "b.ftspec"
    a.write_text(BASE)
    b.write_text(BASE.replace("# A spec", "# Reworded. A spec").replace("  r = 16", "r=16"))
    listings = []
    for path in (a, b):
        assert diff.main(argparse.Namespace(files=[], format="text", textconv=path)) == 0
        listings.append(capsys.readouterr().out)
    assert listings[0] == listings[1]
    assert "adapter.r = 16  # written\n" in listings[0]
    assert "adapter.alpha = 32  # derived\n" in listings[0]
    assert "training.warmup = 0.1  # default\n" in listings[0]
    assert 'data.eval = jsonl("data/eval.jsonl")  # written\n' in listings[0]


def test_textconv_of_a_broken_spec_shows_the_text(tmp_path, capsys):
    bad = tmp_path / "bad.ftspec"
    bad.write_text("ftspec 1\ntask {\n")
    assert diff.main(argparse.Namespace(files=[], format="text", textconv=bad)) == 0
    out = capsys.readouterr().out
    assert out.startswith("# does not build:\n# ") and out.endswith("ftspec 1\ntask {\n")


# -- git, for real ------------------------------------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_PAGER": "cat",
           "PYTHONPATH": str(ROOT), "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    done = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def repo(tmp_path) -> Path:
    if subprocess.run(["git", "--version"], capture_output=True).returncode != 0:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / ".gitattributes").write_text("*.ftspec diff=ftspec\n")
    (repo / "job.ftspec").write_text(BASE)
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "spec")
    return repo


DRIVER = f"{shlex.quote(sys.executable)} -m ftspec.diff"


def test_git_external_diff_command_explains_the_change(repo):
    git(repo, "config", "diff.ftspec.command", DRIVER)
    (repo / "job.ftspec").write_text(edit("learning_rate = 2e-4", "learning_rate = 5e-4"))
    out = git(repo, "diff")
    assert out.startswith("ftspec diff a/job.ftspec b/job.ftspec\n")
    assert "training.learning_rate: 0.0002 -> 0.0005 (written)" in out
    assert "risk of catastrophic forgetting" in out
    (repo / "job.ftspec").write_text(BASE.replace("# A spec", "# Only a comment. A spec"))
    assert git(repo, "diff").endswith("no semantic change\n")
    (repo / "job.ftspec").write_text("ftspec 1\ntask {\n")  # broken: git must not die
    out = git(repo, "diff")
    assert "does not build, so a plain text diff" in out and "+task {" in out


def test_git_textconv_shows_resolved_lines(repo):
    git(repo, "config", "diff.ftspec.textconv", f"{DRIVER} --textconv")
    (repo / "job.ftspec").write_text(edit("r = 16", "r = 64"))
    out = git(repo, "diff")
    changed = [line for line in out.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed == ["-adapter.r = 16  # written", "-adapter.alpha = 32  # derived",
                       "+adapter.r = 64  # written", "+adapter.alpha = 128  # derived"]
    git(repo, "commit", "-qam", "rank 64")
    assert "+adapter.r = 64  # written" in git(repo, "log", "-p", "-1")


def test_git_external_diff_env_and_new_file(repo):
    (repo / "other.ftspec").write_text(BASE)
    git(repo, "add", "other.ftspec")
    wrapper = repo.parent / "ftspec-diff"
    wrapper.write_text(f"#!/bin/sh\nexec {DRIVER} \"$@\"\n")
    wrapper.chmod(0o755)
    done = subprocess.run(
        ["git", "diff", "--cached"], cwd=repo, capture_output=True, text=True, timeout=120,
        env={**os.environ, "GIT_EXTERNAL_DIFF": str(wrapper), "GIT_CONFIG_GLOBAL": os.devnull,
             "GIT_CONFIG_NOSYSTEM": "1", "PYTHONPATH": str(ROOT), "GIT_PAGER": "cat"})
    assert done.returncode == 0, done.stderr
    assert done.stdout == "ftspec diff a/other.ftspec b/other.ftspec\nnew spec\n"
