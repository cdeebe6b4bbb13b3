"""`ftspec compile`: the build folder, golden outputs, literal safety, atomicity, the lock."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ftspec.compile import CompileError, compile_spec
from ftspec.compile.lock import stale_reasons
from ftspec.compile.render import lit

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "specs" / "examples").glob("*.ftspec"))
GOLDEN = Path(__file__).parent / "golden"
MINI = Path(__file__).parent / "data" / "banking77-mini"

SPEC = f"""\
ftspec 1
task "mini" {{
  kind = classification
  labels = ["card_arrival", "lost_or_stolen_card", "top_up_failed"]
}}
data {{
  train = csv("{MINI / 'train.csv'}", input = "text", output = "category")
  eval  = csv("{MINI / 'test.csv'}", input = "text", output = "category")
  system = "Route the message to an intent."
}}
model {{ base = "tiny-model" }}
"""


def _ruff(paths: list[Path]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--isolated", "--select", "E,F,W,B,UP,I",
         "--line-length", "120", *map(str, paths)],
        capture_output=True, text=True, timeout=60,
    )


def _normalise(text: str) -> str:
    return text.replace(str(ROOT), "<ROOT>")


def _golden_lock(lock: dict) -> dict:
    lock = json.loads(_normalise(json.dumps(lock)))
    lock["packages"] = "<installed versions>"
    lock["ftspec_version"] = "<version>"
    return lock


@pytest.mark.parametrize("spec", EXAMPLES, ids=lambda p: p.stem)
def test_compiled_examples_match_goldens(spec, tmp_path, update_fixtures):
    build = compile_spec(spec, tmp_path / "build")
    assert sorted(p.name for p in build.path.iterdir()) == ["eval.py", "ftspec.lock.json", "train.py"]
    golden = GOLDEN / spec.stem
    actual = {
        "train.py": _normalise((build.path / "train.py").read_text(encoding="utf-8")),
        "eval.py": _normalise((build.path / "eval.py").read_text(encoding="utf-8")),
        "ftspec.lock.json": json.dumps(_golden_lock(build.lock), indent=2) + "\n",
    }
    if update_fixtures:
        golden.mkdir(parents=True, exist_ok=True)
        for name, text in actual.items():
            (golden / name).write_text(text, encoding="utf-8")
    for name, text in actual.items():
        assert text == (golden / name).read_text(encoding="utf-8"), (
            f"{spec.stem}/{name} differs from tests/golden; if intended, run pytest --update-fixtures")


@pytest.mark.parametrize("spec", EXAMPLES, ids=lambda p: p.stem)
def test_generated_code_parses_and_is_ruff_clean(spec, tmp_path):
    build = compile_spec(spec, tmp_path / "build")
    files = [build.path / "train.py", build.path / "eval.py"]
    for f in files:
        ast.parse(f.read_text(encoding="utf-8"))
    proc = _ruff(files)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_hyperparameters_appear_as_literals(tmp_path):
    spec = tmp_path / "s.ftspec"
    spec.write_text(SPEC + "adapter qlora { r = 8  alpha = 16 }\ntraining { learning_rate = 3e-4  epochs = 2 }\n")
    train = (compile_spec(spec, tmp_path / "b").path / "train.py").read_text(encoding="utf-8")
    tree = ast.parse(train)
    calls = {node.func.id: {kw.arg: kw.value for kw in node.keywords}
             for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    lora, sft, bnb = calls["LoraConfig"], calls["SFTConfig"], calls["BitsAndBytesConfig"]
    assert ast.literal_eval(lora["r"]) == 8 and ast.literal_eval(lora["lora_alpha"]) == 16
    assert ast.literal_eval(sft["learning_rate"]) == 3e-4
    assert ast.literal_eval(sft["num_train_epochs"]) == 2
    assert ast.literal_eval(sft["completion_only_loss"]) is True
    assert ast.literal_eval(bnb["bnb_4bit_quant_type"]) == "nf4"
    assert ast.literal_eval(bnb["bnb_4bit_use_double_quant"]) is True


INJECTION = '"); import os; os.system("echo pwned"); ("'


def test_spec_strings_cannot_inject_code(tmp_path):
    escaped = INJECTION.replace("\\", "\\\\").replace('"', '\\"')
    spec = tmp_path / "s.ftspec"
    spec.write_text(SPEC.replace('"Route the message to an intent."', f'"{escaped}"')
                    .replace('model { base = "tiny-model" }', f'model {{ base = "{escaped}" }}'))
    build = compile_spec(spec, tmp_path / "b")
    for name in ("train.py", "eval.py"):
        tree = ast.parse((build.path / name).read_text(encoding="utf-8"))
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                 and n.func.attr == "system"]
        assert calls == [], f"{name}: the spec string became code"
        strings = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
        assert INJECTION in strings, f"{name}: the spec string must survive as a string literal"


def test_strings_in_comments_and_docstrings_cannot_inject_code(tmp_path):
    # A model name that closes train.py's docstring, and a spec file name that ends the header's
    # comment line: both are shown as text, never as code.
    breaker = '"""+str(__import__("os").getpid())+"""'
    escaped = breaker.replace('"', '\\"')
    folder = tmp_path / "specs"
    folder.mkdir()
    spec = folder / 'x\nprint("INJECTED")\n#.ftspec'
    spec.write_text(SPEC.replace('model { base = "tiny-model" }', f'model {{ base = "{escaped}" }}'))
    build = compile_spec(spec, tmp_path / "b")
    for name in ("train.py", "eval.py"):
        source = (build.path / name).read_text(encoding="utf-8")
        tree = ast.parse(source)
        called = {getattr(n.func, "attr", getattr(n.func, "id", None))
                  for n in ast.walk(tree) if isinstance(n, ast.Call)}
        assert "getpid" not in called and "__import__" not in called, f"{name}: the model name became code"
        assert not any(isinstance(n, ast.Expr) and isinstance(n.value, ast.Call) for n in tree.body), \
            f"{name}: a statement appeared at module level"
        assert source.splitlines()[0].startswith("# Compiled by ftspec") and "INJECTED" in source.splitlines()[0]


def test_lit_round_trips_awkward_strings():
    for s in ["", "'", '"', "\\", "\\'\"", "a\nb", "\x00", "\u2028", "é", "🙂", '"""', "{{ x }}", "%s"]:
        assert ast.literal_eval(lit(s)) == s


def test_compile_refuses_a_spec_with_lint_errors_and_keeps_the_previous_build(tmp_path):
    spec = tmp_path / "s.ftspec"
    spec.write_text(SPEC)
    out = tmp_path / "b"
    compile_spec(spec, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    spec.write_text(SPEC + "training { learning_rat = 1 }\n")
    with pytest.raises(CompileError) as err:
        compile_spec(spec, out)
    assert [d.code for d in err.value.diagnostics] == ["SP001"]
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b", "s.ftspec"]  # no staging left behind


def test_failed_render_keeps_the_previous_build(tmp_path, monkeypatch):
    spec = tmp_path / "s.ftspec"
    spec.write_text(SPEC)
    out = tmp_path / "b"
    compile_spec(spec, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    import ftspec.compile.lock as lock

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(lock, "make_lock", broken)
    with pytest.raises(OSError):
        compile_spec(spec, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_compile_never_replaces_a_folder_it_did_not_write(tmp_path):
    spec = tmp_path / "s.ftspec"
    spec.write_text(SPEC)
    out = tmp_path / "precious"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(CompileError, match="did not write"):
        compile_spec(spec, out)
    assert (out / "notes.txt").read_text() == "mine"


def test_lock_records_hashes_origins_and_versions(tmp_path):
    spec = tmp_path / "s.ftspec"
    spec.write_text(SPEC + "adapter lora { r = 8 }\n")
    lock = compile_spec(spec, tmp_path / "b").lock
    assert len(lock["spec"]["sha256"]) == 64
    assert [Path(d["path"]).name for d in lock["data"]] == ["train.csv", "test.csv"]
    assert all(len(d["sha256"]) == 64 for d in lock["data"])
    resolved = lock["resolved"]
    assert resolved["adapter.r"] == {"value": 8, "origin": "user"}
    assert resolved["adapter.alpha"] == {"value": 16, "origin": "derived"}
    assert resolved["training.epochs"]["origin"] == "default"
    assert "Hyperparameter Guidelines" in resolved["training.epochs"]["source"]
    assert "trl" in lock["packages"] and "torch" in lock["packages"]


def test_stale_reasons(tmp_path):
    data = tmp_path / "train.csv"
    shutil.copy(MINI / "train.csv", data)
    spec = tmp_path / "s.ftspec"
    spec.write_text(SPEC.replace(str(MINI / "train.csv"), "train.csv"))
    lock = compile_spec(spec, tmp_path / "b").lock
    assert stale_reasons(lock, spec) == []
    data.write_text(data.read_text() + "new text,card_arrival\n")
    assert stale_reasons(lock, spec) == ["data file train.csv changed since it was compiled"]
    spec.write_text(spec.read_text() + "# edited\n")
    assert "s.ftspec changed since it was compiled" in stale_reasons(lock, spec)


def test_cli_compile(tmp_path):
    spec = tmp_path / "s.ftspec"
    spec.write_text(SPEC)
    proc = subprocess.run([sys.executable, "-m", "ftspec", "compile", str(spec), "-o", str(tmp_path / "b")],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "compiled" in proc.stdout
    spec.write_text(SPEC + "training { epochs = x }\n")
    proc = subprocess.run([sys.executable, "-m", "ftspec", "compile", str(spec)], capture_output=True, text=True,
                          timeout=60, cwd=tmp_path)
    assert proc.returncode == 1
    assert "SP002" in proc.stderr and "Traceback" not in proc.stderr


def test_compile_does_not_import_the_training_stack(tmp_path):
    spec = tmp_path / "s.ftspec"
    spec.write_text(SPEC)
    code = ("import sys; from ftspec.cli import main; rc = main(['compile', sys.argv[1], '-o', sys.argv[2]]);"
            "heavy = [m for m in ('torch', 'transformers', 'trl', 'peft', 'datasets') if m in sys.modules];"
            "print(rc, heavy)")
    proc = subprocess.run([sys.executable, "-c", code, str(spec), str(tmp_path / "b")], capture_output=True,
                          text=True, timeout=60)
    assert proc.stdout.strip().splitlines()[-1] == "0 []"


def test_run_recompiles_a_stale_build_and_says_why(tmp_path):
    import io

    from ftspec.run.runner import ensure_build

    spec = tmp_path / "s.ftspec"
    spec.write_text(SPEC)
    out = io.StringIO()
    build = ensure_build(spec, tmp_path / "b", out)
    assert "compiling" in out.getvalue()
    first = (build / "ftspec.lock.json").read_text()
    out = io.StringIO()
    ensure_build(spec, tmp_path / "b", out)
    assert out.getvalue() == ""  # current: reused as is
    spec.write_text(SPEC + "training { epochs = 2 }\n")
    out = io.StringIO()
    ensure_build(spec, tmp_path / "b", out)
    assert out.getvalue().startswith("recompiling: s.ftspec changed since it was compiled")
    assert (build / "ftspec.lock.json").read_text() != first


def test_trackers_reach_sft_config(tmp_path):
    spec = tmp_path / "s.ftspec"
    spec.write_text(SPEC + "training { report_to = tensorboard }\n")
    train = (compile_spec(spec, tmp_path / "b").path / "train.py").read_text(encoding="utf-8")
    assert 'report_to=["tensorboard"],' in train


def test_run_command_starts_without_the_training_stack():
    """The parent `ftspec run` process only launches the scripts; torch loads in them."""
    code = ("import sys; import ftspec.run.runner, ftspec.cli;"
            "print([m for m in ('torch', 'transformers', 'trl', 'peft', 'datasets') if m in sys.modules])")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "[]"


def test_early_stopping_on_a_metric_training_cannot_compute_is_refused(tmp_path):
    spec = tmp_path / "s.ftspec"
    spec.write_text(SPEC + "training { early_stopping { metric = win_rate } }\n")
    with pytest.raises(CompileError) as err:
        compile_spec(spec, tmp_path / "b")
    (diag,) = err.value.diagnostics  # lint's OF005 says it before the plan would (SP008)
    assert diag.code == "OF005" and "win_rate" in diag.message
    assert (diag.span.line, diag.span.col) == (12, 38)
