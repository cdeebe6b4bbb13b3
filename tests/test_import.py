"""`ftspec import axolotl|torchtune`: configs of other tools converted to specs that build."""

from __future__ import annotations

import argparse
import copy
import re
from pathlib import Path

import pytest
import yaml

from ftspec.importers import add_arguments, convert, main
from ftspec.importers.emit import EMPTY, ConfigError
from ftspec.importers.torchtune import resolve
from ftspec.lint import analyse

DATA = Path(__file__).parent / "data" / "import"

# Every import has no `decision` block, no eval data and no acceptance criteria, because
# the tools' configs have none of these, and `kind = style` (the TODO the user resolves):
#   AP002 no retraining schedule (decision.retrain), DE006 no reason to fine-tune (decision.why),
#   DE004 no prompt baseline and EV001 no eval data (data.eval), EV006 no acceptance criteria,
#   EV004 a style task without human evaluation.
ALWAYS = {"AP002", "DE006", "DE004", "EV001", "EV006", "EV004"}
EXPECTED = {
    "axolotl-lora.yml": ALWAYS,
    # alpha 16 with r 32 is alpha = r/2 (AD002); `val_set_size: 0` carried as `validation = none` (OF003).
    "axolotl-qlora.yml": ALWAYS | {"AD002", "OF003"},
    # no `adapter`: full fine-tuning (HP007), with weight_decay 0.0 and no adapter dropout (OF007).
    "axolotl-full.yml": ALWAYS | {"HP007", "OF007"},
    "axolotl-strings.yml": ALWAYS,
    "axolotl-multi.yml": ALWAYS,
    "torchtune-lora.yaml": ALWAYS,
    "torchtune-qlora.yaml": ALWAYS,
    # a torchtune model component without LoRA: full fine-tuning (HP007).
    "torchtune-full.yaml": ALWAYS | {"HP007"},
}


def _tool(name: str) -> str:
    return name.split("-", 1)[0]


def _convert(name: str):
    return convert(_tool(name), (DATA / name).read_text(encoding="utf-8"), name)


def _spec(text: str, name: str = "imported.ftspec"):
    spec, diagnostics = analyse(text, name, data=False)
    assert spec is not None, [f"{d.code} {d.message}" for d in diagnostics]
    return spec, {d.code for d in diagnostics}


def _leaves(node, path: str = ""):
    if isinstance(node, dict) and node:
        for key, value in node.items():
            yield from _leaves(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list) and node and path:
        for i, value in enumerate(node):
            yield from _leaves(value, f"{path}[{i}]")
    else:
        yield path


def _under(path: str, key: str) -> bool:
    return path == key or path.startswith((key + ".", key + "["))


def test_every_fixture_has_its_expected_findings():
    assert {p.name for p in DATA.iterdir()} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_converts_builds_and_lints_as_the_guide_implies(name):
    conversion = _convert(name)
    _, codes = _spec(conversion.text)
    assert codes == EXPECTED[name]
    assert "# TODO: choose the task kind" in conversion.text


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_key_is_carried_or_listed(name):
    config = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
    conversion = _convert(name)
    carried, listed = set(conversion.carried), {n.key for n in conversion.not_carried}
    assert not carried & listed and len(listed) == len(conversion.not_carried)
    accounted = carried | listed
    leaves = list(_leaves(config))
    missing = [leaf for leaf in leaves if not any(_under(leaf, key) for key in accounted)]
    assert missing == []
    assert [key for key in accounted if not any(_under(leaf, key) for leaf in leaves)] == []
    for note in conversion.not_carried:  # each listed key is in the spec's header, with why
        line = f"#   {note.key}: " if note.why != EMPTY else note.key
        assert line in conversion.text, note


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_conversion_is_stable(name):
    first, second = _convert(name), _convert(name)
    assert first.text == second.text
    config = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
    assert convert(_tool(name), config, name).text == first.text  # a mapping gives the same spec


def _paths(config) -> list[str]:
    """Every key path of a config, inner ones too: `datasets`, `datasets[0]`, `datasets[0].path`."""
    out = set()
    for leaf in _leaves(config):
        parts = re.findall(r"\[\d+\]|[^.\[\]]+", leaf)
        out |= {"".join(p if p.startswith("[") or i == 0 else "." + p for i, p in enumerate(parts[:n]))
                for n in range(1, len(parts) + 1)}
    return sorted(out)


def _set(config, path: str, value) -> None:
    parts = re.findall(r"\[\d+\]|[^.\[\]]+", path)
    node = config
    for part in parts[:-1]:
        node = node[int(part[1:-1])] if part.startswith("[") else node[part]
    last = parts[-1]
    node[int(last[1:-1]) if last.startswith("[") else last] = value


@pytest.mark.parametrize("name", ["axolotl-multi.yml", "torchtune-qlora.yaml"])
def test_odd_values_anywhere_still_convert_to_a_spec_that_builds(name):
    base = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
    for path in _paths(base):
        for odd in (None, "x", -1, [1, "a\nb # ftspec: ignore AD001 x"], {"a": 1}):
            config = copy.deepcopy(base)
            _set(config, path, copy.deepcopy(odd))
            conversion = convert(_tool(name), config, name)
            listed = [n.key for n in conversion.not_carried]
            assert len(set(listed)) == len(listed) and not set(listed) & set(conversion.carried), (path, odd)
            accounted = set(conversion.carried) | set(listed)
            assert all(any(_under(leaf, k) for k in accounted) for leaf in _leaves(config)), (path, odd)
            spec, diagnostics = analyse(conversion.text, name, data=False)
            assert spec is not None and not [d for d in diagnostics if d.code[:2] in ("SY", "SU")], (path, odd)


# -- axolotl ---------------------------------------------------------------------------


def test_axolotl_string_numbers_are_read_as_numbers():
    spec, _ = _spec(_convert("axolotl-strings.yml").text)
    t, a = spec.training, spec.adapter
    assert (t.learning_rate, t.epochs, t.batch_size, t.grad_accum, t.warmup) == (1e-4, 3, 4, 4, 0.05)
    assert (t.weight_decay, t.max_grad_norm, t.seed, t.eval_every) == (0.01, 1.0, 7, 50)
    assert t.early_stopping.patience == 2 and t.precision == "bf16" and t.scheduler == "linear"
    assert (a.method, a.bits, a.r, a.alpha, a.dropout, a.targets) == ("qlora", 8, 8, 16, 0.1, ["q_proj"])
    assert spec.data.validation.fraction == 0.15 and spec.quality.max_tokens == 1024
    assert t.report_to == ["tensorboard"] and t.gradient_checkpointing is True


def test_axolotl_yaml_floats_without_a_dot_are_strings_and_still_carried():
    assert yaml.safe_load("learning_rate: 2e-5")["learning_rate"] == "2e-5"
    spec, _ = _spec(_convert("axolotl-full.yml").text)
    assert spec.training.learning_rate == 2e-5 and spec.adapter.method == "full"


def test_axolotl_target_forms():
    base = {"base_model": "Qwen/Qwen2.5-0.5B", "adapter": "lora", "datasets": [{"path": "d.jsonl",
                                                                               "type": "chat_template"}]}
    listed = convert("axolotl", {**base, "lora_target_modules": ["q_proj", "v_proj"]}, "a.yml")
    assert _spec(listed.text)[0].adapter.targets == ["q_proj", "v_proj"]
    linear = convert("axolotl", {**base, "lora_target_modules": None, "lora_target_linear": True}, "a.yml")
    assert _spec(linear.text)[0].adapter.targets == "all_linear"
    both = convert("axolotl", {**base, "lora_target_modules": ["q_proj"], "lora_target_linear": "true"}, "a.yml")
    assert _spec(both.text)[0].adapter.targets == "all_linear"
    assert {"lora_target_modules", "lora_target_linear"} <= set(both.carried)
    one = convert("axolotl", {**base, "lora_target_modules": "q_proj"}, "a.yml")
    assert _spec(one.text)[0].adapter.targets == ["q_proj"]


def test_axolotl_empty_values_are_listed_as_empty_and_take_defaults():
    config = {"base_model": "Qwen/Qwen2.5-0.5B", "adapter": "lora", "datasets": [{"path": "d.jsonl",
              "type": "chat_template"}], "lora_r": None, "lora_alpha": "", "lora_target_modules": [],
              "learning_rate": None, "wandb_project": None, "special_tokens": {}, "val_set_size": None}
    conversion = convert("axolotl", config, "empty.yml")
    empty = {n.key for n in conversion.not_carried if n.why == EMPTY}
    assert {"lora_r", "lora_alpha", "lora_target_modules", "learning_rate", "wandb_project",
            "special_tokens", "val_set_size"} <= empty
    assert "# Empty in empty.yml" in conversion.text
    spec, _ = _spec(conversion.text)
    assert (spec.adapter.r, spec.adapter.alpha, spec.training.learning_rate) == (16, 32, 2e-4)


def test_axolotl_empty_adapter_is_full_fine_tuning():
    config = {"base_model": "Qwen/Qwen2.5-0.5B", "adapter": None, "lora_r": 8,
              "datasets": [{"path": "d.jsonl", "type": "alpaca"}]}
    conversion = convert("axolotl", config, "fft.yml")
    spec, _ = _spec(conversion.text)
    assert spec.adapter.method == "full"
    assert [n.why for n in conversion.not_carried if n.key == "lora_r"] == [
        "no adapter is trained in full fine-tuning"]


def test_axolotl_hub_datasets_get_placeholders_and_are_listed():
    conversion = _convert("axolotl-multi.yml")
    spec, _ = _spec(conversion.text)
    assert [(s.format, s.path) for s in spec.data.train] == [
        ("jsonl", "data/billing/chats.jsonl"), ("alpaca", "data/billing/faq.json"),
        ("csv", "data/billing/pairs.csv"), ("jsonl", "data/billing/sharegpt.jsonl"),
        ("jsonl", "data/SlimOrca.jsonl"), ("alpaca", "data/alpaca-gpt4.jsonl")]
    assert (spec.data.train[2].input, spec.data.train[2].output) == ("question", "answer")
    why = {n.key: n.why for n in conversion.not_carried}
    assert why["datasets[5].path"].startswith("a Hugging Face Hub dataset")
    assert why["datasets[4].type"] == "axolotl type completion has no ftspec source"
    assert "TODO: placeholder for the Hub dataset Open-Orca/SlimOrca" in conversion.text
    assert any("ShareGPT" in w for w in conversion.warnings)
    assert spec.data.validation.source.path == "data/billing/val.jsonl"
    assert why["test_datasets[1].path"].startswith("ftspec takes one validation file")
    assert spec.data.system == "You answer questions about our billing system."
    assert spec.training.warmup == 0.05  # warmup_steps 50 of max_steps 1000
    assert spec.training.report_to == ["wandb", "mlflow"] and spec.training.precision == "fp16"


def test_axolotl_qlora_carries_bits_and_bnb_options():
    spec, _ = _spec(_convert("axolotl-qlora.yml").text)
    a = spec.adapter
    assert (a.method, a.bits, a.quant_type, a.double_quant, a.targets) == ("qlora", 4, "nf4", True, "all_linear")
    assert spec.data.validation.fraction == 0 and spec.data.train[0].format == "jsonl"


def test_axolotl_values_outside_ftspecs_range_are_listed_not_carried():
    config = {"base_model": "m/x", "adapter": "lora", "datasets": [{"path": "d.jsonl", "type": "alpaca"}],
              "max_grad_norm": 0,
              "val_set_size": 2, "lora_r": 8192, "learning_rate": "3e-5"}
    conversion = convert("axolotl", config, "range.yml")
    why = {n.key: n.why for n in conversion.not_carried}
    assert why["max_grad_norm"] == "outside the range of ftspec's `max_grad_norm` (> 0.0)"
    assert why["lora_r"] == "outside the range of ftspec's `r` (<= 4096)"
    assert why["val_set_size"].startswith("a fraction")
    spec, _ = _spec(conversion.text)
    assert (spec.training.max_grad_norm, spec.adapter.r, spec.training.learning_rate) == (1.0, 16, 3e-5)


def test_axolotl_preference_training_is_warned_about():
    config = {"base_model": "m/x", "rl": "dpo", "datasets": [{"path": "d.jsonl", "type": "chat_template"}]}
    assert any("preference" in w for w in convert("axolotl", config, "dpo.yml").warnings)


# -- torchtune ----------------------------------------------------------------------------


def test_torchtune_modules_map_to_transformers_names():
    spec, _ = _spec(_convert("torchtune-qlora.yaml").text)
    a = spec.adapter
    assert (a.method, a.bits, a.r, a.alpha, a.dropout) == ("qlora", 4, 16, 32, 0.05)
    assert a.targets == ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
    lora, _ = _spec(_convert("torchtune-lora.yaml").text)
    assert lora.adapter.method == "lora" and lora.adapter.targets[2] == "o_proj"
    output = convert("torchtune", {"model": {"_component_": "torchtune.models.llama3_2.lora_llama3_2_1b",
                                             "lora_attn_modules": ["q_proj"], "apply_lora_to_output": True}},
                     "x.yaml")
    assert _spec(output.text)[0].adapter.targets == ["q_proj", "lm_head"]


def test_torchtune_interpolation_is_resolved_within_the_file():
    conversion = _convert("torchtune-qlora.yaml")
    spec, _ = _spec(conversion.text)
    assert spec.model.base == "/models/Llama-3.2-1B-Instruct"  # ${base_dir}
    listed = {n.key: n.value for n in conversion.not_carried}
    assert listed["tokenizer.path"] == "/models/Llama-3.2-1B-Instruct/original/tokenizer.model"
    assert listed["metric_logger.log_dir"] == "/tmp/torchtune/llama3_2_1B/qlora_single_device/logs"
    assert conversion.warnings == []
    t = spec.training
    assert (t.learning_rate, t.epochs, t.batch_size, t.grad_accum, t.max_grad_norm, t.seed) == (
        2e-4, 3, 4, 8, 1.0, 42)
    assert (t.optimizer, t.scheduler, t.warmup, t.eval_every, t.report_to) == (
        "adamw_torch", "cosine", 0.05, 50, ["wandb"])
    assert spec.data.validation.source.path == "data/support/val.jsonl"
    assert spec.data.system == "You are the support assistant of Acme."


def test_torchtune_unresolved_references_are_reported():
    conversion = _convert("torchtune-full.yaml")
    assert conversion.warnings == [
        "metric_logger.log_dir: '${paths.cache}' refers to no key of this file; it is left as written"]
    spec, _ = _spec(conversion.text)
    assert (spec.data.train[0].format, spec.data.train[0].input, spec.data.train[0].output) == (
        "csv", "review", "summary")
    assert spec.training.optimizer == "paged_adamw_8bit" and spec.training.learning_rate == 5e-6


def test_resolver():
    config = {"a": "${b}", "b": "${a}", "c": "x/${d.e}/y", "d": {"e": 3, "f": "${oc.env:HOME}"},
              "g": ["${c}"], "h": "${d.e}"}
    resolved, unresolved, referred = resolve(config)
    assert resolved["c"] == "x/3/y" and resolved["g"] == ["x/3/y"] and resolved["h"] == 3
    assert resolved["a"] == "${b}" and resolved["d"]["f"] == "${oc.env:HOME}"
    assert set(unresolved) == {("a", "${b}"), ("b", "${a}"), ("d.f", "${oc.env:HOME}")}
    assert {"d.e", "c"} <= referred


# -- the command ------------------------------------------------------------------------------


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return main(parser.parse_args(list(argv)))


def test_prints_the_spec_and_its_findings(capsys):
    assert _run("axolotl", str(DATA / "axolotl-qlora.yml")) == 0
    out, err = capsys.readouterr()
    assert out == _convert("axolotl-qlora.yml").text
    assert "AD002" in err and "OF003" in err and "Found 3 errors, 5 warnings" in err


def test_writes_lints_and_refuses_to_overwrite(tmp_path, capsys):
    target = tmp_path / "qlora.ftspec"
    assert _run("axolotl", str(DATA / "axolotl-qlora.yml"), "-o", str(target)) == 0
    written = target.read_text(encoding="utf-8")
    assert written == _convert("axolotl-qlora.yml").text
    err = capsys.readouterr().err
    assert f"{target}:" in err and "AD002" in err and "keys carried" in err
    target.write_text("mine\n", encoding="utf-8")
    assert _run("torchtune", str(DATA / "torchtune-lora.yaml"), "-o", str(target)) == 2
    assert "--force" in capsys.readouterr().err and target.read_text(encoding="utf-8") == "mine\n"
    assert _run("torchtune", str(DATA / "torchtune-lora.yaml"), "-o", str(target), "--force") == 0
    assert target.read_text(encoding="utf-8") == _convert("torchtune-lora.yaml").text
    assert [p.name for p in tmp_path.iterdir()] == ["qlora.ftspec"]  # no temporary file left


def test_yaml_syntax_error_exits_2_with_line_and_column(tmp_path, capsys):
    bad = tmp_path / "bad.yml"
    bad.write_text("base_model: x\ndatasets:\n  - path: [a, b\nlora_r: 8\n", encoding="utf-8")
    assert _run("axolotl", str(bad)) == 2
    err = capsys.readouterr().err
    assert f"{bad}:4:7: not valid YAML" in err
    with pytest.raises(ConfigError, match=r"^x\.yml:1:5: not valid YAML: mapping values are not allowed here"):
        convert("torchtune", "a: b: c\n", "x.yml")


@pytest.mark.parametrize("text, message", [("- a\n- b\n", "is a YAML list, not a mapping"),
                                           ("", "is empty, not a mapping"), ("42\n", "is a YAML int")])
def test_not_a_mapping_exits_2(tmp_path, capsys, text, message):
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    assert _run("torchtune", str(path)) == 2
    assert message in capsys.readouterr().err


def test_unknown_tool_and_missing_file_exit_2(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:  # argparse refuses it
        _run("llamafactory", str(DATA / "axolotl-lora.yml"))
    assert exit_.value.code == 2 and "invalid choice: 'llamafactory'" in capsys.readouterr().err
    args = argparse.Namespace(tool="llamafactory", config=DATA / "axolotl-lora.yml", output=None, force=False)
    assert main(args) == 2  # and so does main, called with another parser
    assert "unknown tool `llamafactory`" in capsys.readouterr().err
    assert _run("axolotl", str(tmp_path / "nope.yml")) == 2
    assert "cannot read" in capsys.readouterr().err
