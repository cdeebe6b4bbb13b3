"""`ftspec init`: starter specs that lint clean, and what `--data` makes of real files."""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ftspec import starter
from ftspec.diff import semantic_diff
from ftspec.lint import analyse, lint_text
from ftspec.spec.vocabulary import TASK_KINDS

ROOT = Path(__file__).resolve().parent.parent
QUICKSTART = ROOT / "specs" / "data" / "quickstart"
BANKING = ROOT / "specs" / "examples" / "data" / "banking"


def init(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    starter.add_arguments(parser)
    return starter.main(parser.parse_args(list(argv)))


def codes(path: Path, *, data: bool) -> list[str]:
    return [d.code for d in lint_text(path.read_text(), str(path), data=data)]


@pytest.mark.parametrize("kind", TASK_KINDS)
def test_every_kind_lints_clean_without_data(kind):
    text = starter.starter_text(kind)
    assert lint_text(text, f"{kind}.ftspec", data=False) == []
    assert f"kind   = {kind}" in text and f'task "my-{kind}"' in text


# Values the starter writes that differ from what the spec would resolve to without them: each is
# a choice for the starter's sake (a task name, the data, the decision record, a bar to meet).
CHOSEN = {"task.goal", "task.labels", "decision.why", "decision.retrain", "sizing", "eval.accept",
          "eval.max_new_tokens", "eval.human", "eval.human.blind_pairs", "eval.human.error_categories",
          "eval.human.against"}


@pytest.mark.parametrize("kind", TASK_KINDS)
def test_written_values_are_the_defaults(kind):
    text = starter.starter_text(kind)
    bare = (f'ftspec 1\ntask "my-{kind}" {{ kind = {kind}  output = {starter.KINDS[kind].output} }}\n'
            'data { train = jsonl("data/train.jsonl")  eval = jsonl("data/eval.jsonl") }\n'
            'model { base = "smollm2-135m-instruct" }\n')
    changed = {c.path for c in semantic_diff(analyse(bare, "b")[0], analyse(text, "s")[0]) if c.semantic}
    assert changed <= CHOSEN, changed - CHOSEN


def test_comments_cite_the_guide():
    text = starter.starter_text("classification")
    for cited in ("(Data Sizing Guidelines)", "(Preventing Overfitting)", "(Parameter-Efficient Fine-Tuning)",
                  "(Training Monitoring)", "Hyperparameter Guidelines", "Evaluation Strategy",
                  "Data Quality Checklist", "Decision Framework"):
        assert cited in text, cited
    assert "r       = 16" in text
    assert "the guide's start; 8-64 typical: higher = more capacity, more compute" in text
    assert all(len(line) <= starter.WIDTH + 2 for line in text.splitlines())


def test_stdout_without_output(capsys):
    assert init("--kind", "reasoning") == 0
    out = capsys.readouterr().out
    assert out == starter.starter_text("reasoning")


def test_output_is_written_and_not_overwritten(tmp_path, capsys):
    out = tmp_path / "sub" / "intents.ftspec"
    assert init("-o", str(out)) == 0
    assert 'task "intents"' in out.read_text()  # named after the file; classification by default
    out.write_text("mine")
    assert init("-o", str(out), "--kind", "style") == 2
    assert "exists; --force overwrites it" in capsys.readouterr().err
    assert out.read_text() == "mine"
    assert init("-o", str(out), "--kind", "style", "--force", "--name", "voice") == 0
    assert 'task "voice"' in out.read_text()
    assert init("--name", "bad name") == 2


def test_quickstart_csv(tmp_path):
    out = tmp_path / "specs" / "q.ftspec"
    assert init("--data", str(QUICKSTART / "train.csv"), "-o", str(out)) == 0
    text = out.read_text()
    rel = Path(QUICKSTART.relative_to(ROOT))
    spec, _ = analyse(text, str(out))
    assert spec.task.kind == "classification"  # guessed: the replies look like labels
    assert spec.task.labels == ["card_arrival", "lost_or_stolen_phone", "pin_blocked", "terminate_account"]
    (train,), (held,) = spec.data.train, spec.data.eval
    assert (train.format, train.input, train.output) == ("csv", "text", "category")
    assert (tmp_path / "specs" / train.path).resolve() == (QUICKSTART / "train.csv").resolve()
    assert held.path.endswith(f"{rel.as_posix()}/eval.csv")
    assert spec.sizing == "minimum"
    assert "# 240 examples, 4 labels, 60 per label: above the guide's minimum (50 per category), below its" in text
    assert "found beside it: 80 examples, never trained on" in text
    assert codes(out, data=True) == [] and codes(out, data=False) == []


def test_banking_jsonl_beside_the_data(tmp_path):
    folder = tmp_path / "data" / "banking"
    shutil.copytree(BANKING, folder)
    out = tmp_path / "banking.ftspec"
    assert init("--kind", "classification", "--data", str(folder / "train.jsonl"), "-o", str(out)) == 0
    text = out.read_text()
    assert 'train      = jsonl("data/banking/train.jsonl")' in text
    assert 'eval       = jsonl("data/banking/eval.jsonl")' in text
    assert "390 examples, 6 labels, 65 per label" in text
    assert codes(out, data=True) == []


def test_small_data_without_eval_says_what_the_data_implies(tmp_path):
    rows = (QUICKSTART / "train.csv").read_text().splitlines()[:60]
    (tmp_path / "train.csv").write_text("\n".join(rows) + "\n")
    out = tmp_path / "small.ftspec"
    assert init("--data", str(tmp_path / "train.csv"), "-o", str(out)) == 0
    text = out.read_text()
    assert 'eval       = csv("eval.csv", input = "text", output = "category")' in text  # a placeholder
    assert "not found: hold examples out here" in text
    assert "grad_accum    = 1" in text  # 4 would leave fewer than 30 steps (HP006)
    assert "below the guide's minimum of 50 per category" in text and "(SZ001)" in text
    assert sorted(codes(out, data=True)) == ["DA005", "SZ001", "SZ002"]
    assert codes(out, data=False) == []


def test_free_text_replies_need_a_kind(tmp_path, capsys):
    train = tmp_path / "train.jsonl"
    train.write_text("".join(json.dumps({"messages": [
        {"role": "user", "content": f"Rewrite note {i}"},
        {"role": "assistant", "content": f"Here is note {i}, rewritten warmly."}]}) + "\n" for i in range(120)))
    assert init("--data", str(train)) == 2
    assert "say which kind with --kind" in capsys.readouterr().err
    out = tmp_path / "voice.ftspec"
    assert init("--data", str(train), "--kind", "style", "-o", str(out)) == 0
    text = out.read_text()
    assert "labels" not in text and "120 examples: above the guide's minimum (50 in total)" in text
    assert "human {" in text
    assert codes(out, data=True) == ["DA005"]  # eval.jsonl does not exist yet


def test_alpaca_and_test_file_beside_it(tmp_path):
    items = [{"instruction": f"What is rule {i}?", "input": "", "output": f"Rule {i} says {i * 7}."}
             for i in range(520)]
    (tmp_path / "policy_train.json").write_text(json.dumps(items))
    (tmp_path / "policy_test.json").write_text(json.dumps([
        {"instruction": "What is rule 9999?", "input": "", "output": "Rule 9999 says 1."}]))
    summary = starter.summarise(tmp_path / "policy_train.json", "knowledge", tmp_path)
    assert summary.train.call() == 'alpaca("policy_train.json")'
    assert summary.eval.call() == 'alpaca("policy_test.json")' and summary.eval.examples == 1
    text = starter.starter_text("knowledge", summary, "policy")
    assert "sizing = minimum" in text
    path = tmp_path / "policy.ftspec"
    path.write_text(text)
    assert codes(path, data=True) == []


def test_labels_are_quoted_safely(tmp_path):
    rows = ["text,label"] + [f'"question {i}",{label}' for i in range(200)
                             for label in ['"say ""hi"""', "back\\slash"][i % 2:i % 2 + 1]]
    (tmp_path / "train.csv").write_text("\n".join(rows) + "\n")
    summary = starter.summarise(tmp_path / "train.csv", "classification", tmp_path)
    spec, diagnostics = analyse(starter.starter_text("classification", summary), "s")
    assert spec is not None, diagnostics
    assert sorted(spec.task.labels) == ['back\\slash', 'say "hi"']


def test_unknown_or_unreadable_data(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("hello")
    assert init("--data", str(tmp_path / "notes.txt"), "--kind", "style") == 2
    (tmp_path / "x.csv").write_text("a,b,c\n1,2,3\n")
    assert init("--data", str(tmp_path / "x.csv"), "--kind", "style") == 2
    assert init("--data", str(tmp_path / "missing.jsonl"), "--kind", "style") == 2
    err = capsys.readouterr().err
    assert "unknown data format" in err and "cannot tell the input and output columns" in err
    assert "no such file" in err


def test_find_eval_names(tmp_path):
    train = tmp_path / "banking_train.jsonl"
    train.write_text("")
    assert starter.find_eval(train) is None
    (tmp_path / "banking_test.jsonl").write_text("")
    assert starter.find_eval(train) == tmp_path / "banking_test.jsonl"
    (tmp_path / "banking_eval.jsonl").write_text("")
    assert starter.find_eval(train) == tmp_path / "banking_eval.jsonl"  # eval before test


def test_module_entry_point():
    done = subprocess.run([sys.executable, "-m", "ftspec.starter", "--kind", "extraction"],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0 and done.stdout == starter.starter_text("extraction")
