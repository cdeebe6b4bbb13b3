"""axolotl YAML config -> .ftspec (`ftspec import axolotl CONFIG.yml`).

The keys are axolotl's documented options (docs/config.qmd); docs/import.md has the
mapping table. Every top-level key, and every key of each `datasets` and `test_datasets`
entry and of `bnb_config_kwargs`, is carried or listed with why.
"""

from __future__ import annotations

import re

from ftspec.importers import emit
from ftspec.importers.emit import Conversion, Writer, flag, is_empty, number, whole

TOOL = "axolotl"

# transformers' OptimizerNames (TrainingArguments.optim), which ftspec's `optimizer` is passed to.
HF_OPTIMIZERS = frozenset("""
adamw_torch adamw_torch_fused adamw_torch_xla adamw_torch_npu_fused adafactor adamw_anyprecision adamw_torch_4bit
adamw_torch_8bit ademamix sgd adagrad adamw_bnb_8bit adamw_8bit ademamix_8bit lion_8bit lion_32bit paged_adamw_32bit
paged_adamw_8bit paged_ademamix_32bit paged_ademamix_8bit paged_lion_32bit paged_lion_8bit rmsprop rmsprop_bnb
rmsprop_bnb_8bit rmsprop_bnb_32bit galore_adamw galore_adamw_8bit galore_adafactor galore_adamw_layerwise
galore_adamw_8bit_layerwise galore_adafactor_layerwise lomo adalomo grokadamw schedule_free_radam
schedule_free_adamw schedule_free_sgd apollo_adamw apollo_adamw_layerwise stable_adamw
""".split())
SCHEDULERS = ("cosine", "linear", "constant", "constant_with_warmup")
LOCAL_TYPES = ("json", "csv", "parquet", "arrow", "text")
_PACKING = "ftspec does not pack several examples into one sequence"
_ATTENTION = "ftspec leaves the attention implementation to transformers"
_TRACKER = "ftspec passes only the tracker's name (report_to); set the tracker's environment variables"
_TOKENIZER = "ftspec uses the base model's tokenizer as it is"
_PEFT = "ftspec's adapter has r, alpha, dropout, targets and bias only"
REASONS = {
    "sample_packing": _PACKING, "eval_sample_packing": _PACKING, "sample_packing_eff_est": _PACKING,
    "pad_to_sequence_len": "ftspec pads each batch to its longest example",
    "flash_attention": _ATTENTION, "xformers_attention": _ATTENTION, "sdp_attention": _ATTENTION,
    "s2_attention": _ATTENTION, "flash_attn_cross_entropy": _ATTENTION, "flash_attn_rms_norm": _ATTENTION,
    "model_type": "ftspec loads the base model with AutoModelForCausalLM",
    "tokenizer_type": "ftspec loads the tokenizer with AutoTokenizer", "tokenizer_config": _TOKENIZER,
    "special_tokens": _TOKENIZER, "tokens": _TOKENIZER, "added_tokens_overrides": _TOKENIZER,
    "chat_template": "ftspec formats examples with the base model's own chat template",
    "chat_template_jinja": "ftspec formats examples with the base model's own chat template",
    "train_on_inputs": "ftspec computes the loss on the final assistant reply only",
    "output_dir": "ftspec writes each run to runs/<task>/<timestamp>/, or `ftspec run --output DIR`",
    "max_steps": "ftspec trains for `epochs`; `ftspec run --max-steps N` stops after N steps",
    "resume_from_checkpoint": "`ftspec run --resume` continues a killed run from its last checkpoint",
    "auto_resume_from_checkpoints": "`ftspec run --resume` continues a killed run from its last checkpoint",
    "dataset_prepared_path": "ftspec prepares the data itself on each run",
    "evals_per_epoch": "ftspec evaluates every `eval_every` steps, by default about 10 times a run",
    "saves_per_epoch": "ftspec saves a checkpoint at each evaluation and keeps the best",
    "save_steps": "ftspec saves a checkpoint at each evaluation (`eval_every`) and keeps the best",
    "save_total_limit": "ftspec keeps the best checkpoint", "save_strategy": "ftspec keeps the best checkpoint",
    "lora_modules_to_save": "ftspec trains no module in full next to the adapter",
    "lora_model_dir": "ftspec trains a new adapter; it does not load one",
    "lora_fan_in_fan_out": _PEFT, "peft_use_dora": _PEFT, "peft_use_rslora": _PEFT, "peft": _PEFT,
    "peft_layers_to_transform": _PEFT, "peft_init_lora_weights": _PEFT,
    "wandb_entity": _TRACKER, "wandb_name": _TRACKER, "wandb_watch": _TRACKER, "wandb_log_model": _TRACKER,
    "wandb_run_id": _TRACKER, "mlflow_run_name": _TRACKER,
    "deepspeed": "ftspec shares work with DDP or FSDP (`training.distributed`), not DeepSpeed",
    "dataset_exact_deduplication": "ftspec's data checks report exact duplicates (quality.duplicates = error)",
    "base_model_config": "ftspec reads the model's configuration from model.base",
    "rl": "ftspec trains supervised fine-tuning only, not preference training",
    "gradient_checkpointing_kwargs": "ftspec has gradient_checkpointing on or off only",
    "tf32": "ftspec has no TF32 setting", "strict": "an axolotl CLI setting", "debug": "an axolotl CLI setting",
    "local_rank": "set by the launcher", "logging_steps": "ftspec logs every step to metrics.jsonl",
    "load_in_8bit": "ftspec quantises the base model only for adapter qlora",
    "load_in_4bit": "ftspec quantises the base model only for adapter qlora",
    "wandb_project": "wandb_mode is disabled", "wandb_mode": _TRACKER, "mlflow_tracking_uri": _TRACKER,
    "mlflow_experiment_name": _TRACKER, "use_tensorboard": "ftspec reports to no tracker unless report_to names one",
    "eval_steps": "not a whole number of steps", "early_stopping_patience": "not a whole number of at least 1",
    "adam_beta1": "ftspec uses the optimizer's defaults", "adam_beta2": "ftspec uses the optimizer's defaults",
    "adam_epsilon": "ftspec uses the optimizer's defaults", "optim_args": "ftspec uses the optimizer's defaults",
    "bnb_config_kwargs": "ftspec quantises only for adapter qlora with 4 bits",
    "warmup_ratio": "not a number", "sequence_len": "not a whole number",
}
FALLBACK = "no ftspec equivalent"


def convert(config: dict | str, source_name: str = "axolotl.yml") -> Conversion:
    """Convert an axolotl config (a mapping, or its YAML text) to ftspec text."""
    cfg = emit.load(config, source_name)
    w = Writer(TOOL, source_name, cfg)
    _data(w, cfg)
    _model(w, cfg)
    _adapter(w, cfg)
    _training(w, cfg)
    if not is_empty(cfg.get("rl")):
        w.warn(f"rl: {emit.show(cfg['rl'])}: this is a preference-training config; ftspec trains supervised "
               "fine-tuning only, so the converted spec is a different job")
    w.sweep(REASONS, FALLBACK)
    return w.result(emit.task_name(source_name))


# -- data ----------------------------------------------------------------------------


def _data(w: Writer, cfg: dict) -> None:
    entries = cfg.get("datasets")
    if "datasets" in cfg and not isinstance(entries, list):
        w.drop("datasets", entries, "not a list of datasets")
    items = _sources(w, "datasets", entries) if isinstance(entries, list) else []
    if not items:
        w.put("data", "train", 'jsonl("data/train.jsonl")',
              comment="TODO: placeholder, no dataset could be carried: point it at your training data")
    else:
        one = len(items) == 1
        w.put("data", "train", items[0][0] if one else items, comment=items[0][1] if one else "")
    w.note("data", 'TODO: add held-out eval data (`eval = jsonl("...")`): the guide measures the model on it')
    local = [e for e in entries if isinstance(e, dict) and _local(e)] if isinstance(entries, list) else []
    if any(not str(e.get("path", "")).startswith("/") for e in local):
        w.note("data", "axolotl reads relative paths from where it runs; ftspec from this file's folder")
    _validation(w, cfg)
    message = cfg.get("default_system_message")
    if isinstance(message, str) and message:
        w.put("data", "system", emit.string(message), "default_system_message")
    seq = whole(cfg.get("sequence_len"))
    if seq is not None:
        w.number("quality", "max_tokens", seq, "sequence_len",
                 comment="the longest example: checked, and the training length")


def _validation(w: Writer, cfg: dict) -> None:
    tests, size = cfg.get("test_datasets"), cfg.get("val_set_size")
    if isinstance(tests, list) and tests:
        chosen: list[tuple[str, str]] = []
        for i, entry in enumerate(tests):
            at = f"test_datasets[{i}]"
            if not isinstance(entry, dict):
                w.drop(at, entry, "not a dataset entry")
            elif chosen:
                for k, v in entry.items():
                    w.drop(f"{at}.{k}", v, "ftspec takes one validation file: the first one that can be read")
            else:
                chosen = _source(w, at, entry, placeholders=False)
        if chosen:
            w.put("data", "validation", chosen[0][0], comment=chosen[0][1])
            if len(chosen) > 1:
                w.warn(f"ftspec takes one validation file: {chosen[0][0]} is carried, not the other data_files")
            if "val_set_size" in cfg:
                w.drop("val_set_size", size, "test_datasets is the validation set instead")
            return
        w.warn("test_datasets could not be carried: a split of the training data is the validation set")
    elif "test_datasets" in cfg and not is_empty(tests):
        w.drop("test_datasets", tests, "not a list of datasets")
    fraction = number(size)
    if fraction is None:
        if "val_set_size" in cfg:
            w.drop("val_set_size", size, "not a number")
    elif fraction == 0:
        w.put("data", "validation", "none", "val_set_size", comment="no validation split, as in axolotl")
    elif 0 < fraction < 1:
        w.put("data", "validation", emit.percent(fraction), "val_set_size")
    else:
        w.drop("val_set_size", size, "a fraction from 0 to 1 was expected")


def _local(entry: dict) -> bool:
    path = entry.get("path")
    if entry.get("ds_type") in LOCAL_TYPES or not is_empty(entry.get("data_files")):
        return True
    return isinstance(path, str) and (path.startswith(("/", "./", "../", "~"))
                                      or bool(re.search(r"\.(jsonl|json|csv|parquet|arrow|txt)\Z", path)))


def _sources(w: Writer, key: str, entries: list, placeholders: bool = True) -> list[tuple[str, str]]:
    """The ftspec sources of axolotl's dataset entries, as (source, comment); each key accounted."""
    out: list[tuple[str, str]] = []
    for i, entry in enumerate(entries):
        if isinstance(entry, dict):
            out += _source(w, f"{key}[{i}]", entry, placeholders)
        else:
            w.drop(f"{key}[{i}]", entry, "not a dataset entry")
    return out


_ENTRY_REASONS = {
    "split": "ftspec reads whole files", "name": "a Hub dataset configuration", "revision": "a Hub revision",
    "shards": "ftspec reads whole files", "shards_idx": "ftspec reads whole files",
    "roles_to_train": "ftspec computes the loss on the final assistant reply only",
    "train_on_eos": "ftspec computes the loss on the final assistant reply only",
    "chat_template": "ftspec formats examples with the base model's own chat template",
    "trust_remote_code": "ftspec reads local files only",
}


def _source(w: Writer, at: str, entry: dict, placeholders: bool) -> list[tuple[str, str]]:
    path, kind = entry.get("path"), entry.get("type")
    style = re.split(r"[:.]", kind, maxsplit=1)[0] if isinstance(kind, str) else None
    if not _local(entry):
        w.drop(f"{at}.path", path, "a Hugging Face Hub dataset: ftspec reads local files"
               + ("; export it to the placeholder" if placeholders else ""))
        for k in [k for k in entry if k != "path"]:
            why = "chose the placeholder's format" if placeholders and k == "type" else "belongs to a Hub dataset"
            w.drop(f"{at}.{k}", entry[k], why)
        if not placeholders:
            return []
        stem = re.sub(r"[^A-Za-z0-9._-]+", "-", str(path).rstrip("/").rsplit("/", 1)[-1]) or "dataset"
        text = emit.source("alpaca" if style == "alpaca" else "jsonl", f"data/{stem}.jsonl")
        return [(text, f"TODO: placeholder for the Hub dataset {emit.show(path)}")]
    files = entry.get("data_files")
    files = [files] if isinstance(files, str) else files if isinstance(files, list) and files else [path]
    fmt, keys, columns, problem = _format(entry, style, str(files[0]))
    if fmt is None:
        for k in entry:
            w.drop(f"{at}.{k}", entry[k], problem if k in ("path", "type") else "belongs to a dataset not carried")
        return []
    for k, v in entry.items():
        if k in keys | {"path", "type", "ds_type", "data_files"}:
            w.carry(f"{at}.{k}")
        else:
            w.drop(f"{at}.{k}", v, _ENTRY_REASONS.get(k, FALLBACK))
    if problem:
        w.warn(f"{at}: {problem}")
    comment = f"{at} (type {emit.show(kind)})" + ("; TODO: " + problem if problem else "")
    return [(emit.source(fmt, str(f), **columns), comment) for f in files]


def _format(entry: dict, style: str | None, path: str) -> tuple[str | None, set[str], dict[str, str], str]:
    """(ftspec format or None, the entry's keys it carries, csv columns, a problem or why not)."""
    ext = path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
    custom = entry["type"] if isinstance(entry.get("type"), dict) else {}
    if ext == "csv" or entry.get("ds_type") == "csv":
        if style == "alpaca":
            return "csv", set(), {"input": "instruction", "output": "output"}, (
                "ftspec's csv source reads one input column: an `input` column is not joined to `instruction`")
        if all(isinstance(custom.get(k), str) and custom[k] for k in ("field_instruction", "field_output")):
            extra = sorted(set(custom) - {"field_instruction", "field_output"})
            columns = {"input": custom["field_instruction"], "output": custom["field_output"]}
            return "csv", set(), columns, f"the custom type's {', '.join(extra)} are not carried" if extra else ""
        return None, set(), {}, "ftspec reads a csv file as an input column and an output column"
    if style not in ("alpaca", "chat_template", "sharegpt"):
        return None, set(), {}, f"axolotl type {emit.show(entry.get('type'))} has no ftspec source"
    if ext not in ("jsonl", "json"):
        return None, set(), {}, f"ftspec reads .jsonl, .json and .csv files, not {emit.show(ext or path)}"
    if style == "alpaca":
        return "alpaca", set(), {}, ""
    if style == "chat_template":
        keys = {"field_messages", "message_property_mappings", "message_field_role", "message_field_content",
                "roles"} & set(entry)
        problem = "" if _openai_shape(entry) else "its messages are not `messages` of `role`/`content`: convert it"
        return ext, keys, {}, problem
    keys = {"conversation", "field_human", "field_model", "roles"} & set(entry)  # sharegpt
    return ext, keys, {}, "ShareGPT `conversations` of `from`/`value`: convert it to `messages` of `role`/`content`"


def _openai_shape(entry: dict) -> bool:
    mapping = entry.get("message_property_mappings") or {}
    roles = entry.get("roles") or {}
    return (entry.get("field_messages") in (None, "messages")
            and entry.get("message_field_role") in (None, "role")
            and entry.get("message_field_content") in (None, "content")
            and isinstance(mapping, dict) and all(k == v for k, v in mapping.items())
            and isinstance(roles, dict) and all(v in ([k], k) for k, v in roles.items()))


# -- model and adapter ----------------------------------------------------------------


def _model(w: Writer, cfg: dict) -> None:
    base = cfg.get("base_model")
    if isinstance(base, str) and base:
        w.put("model", "base", emit.string(base), "base_model")
    else:
        w.put("model", "base", '"TODO/base-model"', comment="TODO: base_model is missing")
        if "base_model" in cfg:
            w.drop("base_model", base, "not a model name")
    revision = cfg.get("revision_of_model")
    if isinstance(revision, str) and revision:
        w.put("model", "revision", emit.string(revision), "revision_of_model")
    if "base_model_config" in cfg and cfg["base_model_config"] == base:
        w.carry("base_model_config")


def _adapter(w: Writer, cfg: dict) -> None:
    adapter = cfg.get("adapter")
    four, eight = flag(cfg.get("load_in_4bit")), flag(cfg.get("load_in_8bit"))
    if is_empty(adapter):
        w.adapter = "full"
        if "adapter" in cfg:
            w.carry("adapter")
        w.note("adapter", "`adapter` is empty: axolotl trains every parameter")
        for key in [k for k in cfg if str(k).startswith("lora_") and not is_empty(cfg[k])]:
            w.drop(key, cfg[key], "no adapter is trained in full fine-tuning")
        return
    if adapter not in ("lora", "qlora"):
        w.drop("adapter", adapter, "ftspec adapts with lora, qlora or full")
        w.note("adapter", f"TODO: axolotl's adapter {emit.show(adapter)} has no ftspec method; lora is the closest")
    elif adapter == "qlora" or four or eight:
        w.adapter = "qlora"
        bits = 8 if eight and not four else 4
        keys = [k for k in ("adapter", "load_in_4bit", "load_in_8bit") if k in cfg and not is_empty(cfg[k])]
        w.put("adapter", "bits", str(bits), *keys)
        if adapter == "lora":
            w.note("adapter", f"axolotl's lora on {'an 8' if bits == 8 else 'a 4'}-bit base model is ftspec's qlora")
        if bits == 4:
            _bnb(w, cfg)
    else:
        w.carry(*[k for k in ("adapter", "load_in_4bit", "load_in_8bit") if k in cfg and not is_empty(cfg[k])])
    _lora(w, cfg)


def _lora(w: Writer, cfg: dict) -> None:
    for key, name, read in (("lora_r", "r", whole), ("lora_alpha", "alpha", whole),
                            ("lora_dropout", "dropout", number)):
        if key not in cfg or is_empty(cfg[key]):
            continue
        value = read(cfg[key])
        if value is None:
            w.drop(key, cfg[key], "not a whole number" if read is whole else "not a number")
        else:
            w.number("adapter", name, value, key)
    modules, linear = cfg.get("lora_target_modules"), flag(cfg.get("lora_target_linear"))
    modules = [modules] if isinstance(modules, str) else modules
    if linear:
        keys = ["lora_target_linear"] + (["lora_target_modules"] if modules else [])
        w.put("adapter", "targets", "all_linear", *keys,
              comment="every linear layer" + (", which includes the listed modules" if modules else ""))
    elif isinstance(modules, list) and modules and all(isinstance(m, str) for m in modules):
        w.put("adapter", "targets", emit.names(modules), "lora_target_modules")
    elif not is_empty(modules):
        w.drop("lora_target_modules", cfg["lora_target_modules"], "not a list of module names")
    if "lora_target_linear" in cfg and linear is False:
        w.carry("lora_target_linear")


def _bnb(w: Writer, cfg: dict) -> None:
    kwargs = cfg.get("bnb_config_kwargs")
    if not isinstance(kwargs, dict):
        return
    for key, value in kwargs.items():
        at = f"bnb_config_kwargs.{key}"
        if key == "bnb_4bit_quant_type" and value in ("nf4", "fp4"):
            w.put("adapter", "quant_type", value, at)
        elif key == "bnb_4bit_use_double_quant" and flag(value) is not None:
            w.put("adapter", "double_quant", str(flag(value)).lower(), at)
        elif key == "bnb_4bit_compute_dtype" and value in ("bfloat16", "float16", "float32"):
            w.put("adapter", "compute_dtype", value, at)
        else:
            w.drop(at, value, "ftspec's qlora has bits, quant_type, compute_dtype and double_quant only")


# -- training ----------------------------------------------------------------------------


def _training(w: Writer, cfg: dict) -> None:
    for key, name, read in (("learning_rate", "learning_rate", number), ("num_epochs", "epochs", number),
                            ("micro_batch_size", "batch_size", whole),
                            ("gradient_accumulation_steps", "grad_accum", whole),
                            ("weight_decay", "weight_decay", number), ("max_grad_norm", "max_grad_norm", number),
                            ("seed", "seed", whole)):
        if key in cfg and not is_empty(cfg[key]):
            value = read(cfg[key])
            if value is None:
                w.drop(key, cfg[key], "not a number")
            else:
                w.number("training", name, value, key)
    _warmup(w, cfg)
    _scheduler(w, cfg)
    _optimizer(w, cfg)
    _precision(w, cfg)
    checkpointing = cfg.get("gradient_checkpointing")
    if checkpointing is not None and checkpointing != "":
        on = checkpointing if isinstance(checkpointing, bool) else flag(checkpointing)
        if on is None:  # "offload", "offload_disk"
            w.put("training", "gradient_checkpointing", "true", "gradient_checkpointing",
                  comment=f"axolotl's {emit.show(checkpointing)} also offloads; ftspec does not")
        else:
            w.put("training", "gradient_checkpointing", str(on).lower(), "gradient_checkpointing")
    _evaluation(w, cfg)
    _trackers(w, cfg)
    fsdp = cfg.get("fsdp") or cfg.get("fsdp_config")
    if fsdp:
        w.put("training", "distributed", "fsdp", *[k for k in ("fsdp", "fsdp_config") if cfg.get(k)],
              comment="ftspec's FSDP settings are its own")


def _warmup(w: Writer, cfg: dict) -> None:
    ratio, steps, total = number(cfg.get("warmup_ratio")), whole(cfg.get("warmup_steps")), whole(cfg.get("max_steps"))
    if ratio is not None:
        w.number("training", "warmup", ratio, "warmup_ratio", text=emit.percent(ratio))
        if "warmup_steps" in cfg and not is_empty(cfg["warmup_steps"]):
            w.drop("warmup_steps", cfg["warmup_steps"], "warmup_ratio is carried instead")
    elif steps is not None and total:
        w.number("training", "warmup", steps / total, "warmup_steps", text=emit.percent(steps / total),
                 comment=f"{steps} of max_steps {total}")
    elif steps is not None:
        w.drop("warmup_steps", cfg["warmup_steps"],
               "ftspec's warmup is a fraction of the steps, which depend on the data size; the default 10% applies")


def _scheduler(w: Writer, cfg: dict) -> None:
    name = cfg.get("lr_scheduler")
    if name in SCHEDULERS:
        w.put("training", "scheduler", name, "lr_scheduler")
    elif not is_empty(name):
        w.drop("lr_scheduler", name, f"ftspec's schedulers are {', '.join(SCHEDULERS)}; cosine applies")


def _optimizer(w: Writer, cfg: dict) -> None:
    name = cfg.get("optimizer")
    if isinstance(name, str) and name in HF_OPTIMIZERS:
        w.put("training", "optimizer", emit.name_or_string(name), "optimizer")
    elif not is_empty(name):
        w.drop("optimizer", name, "an axolotl optimizer that transformers does not know; adamw_torch applies")


def _precision(w: Writer, cfg: dict) -> None:
    bf16, fp16 = cfg.get("bf16"), cfg.get("fp16")
    keys = [k for k in ("bf16", "fp16") if k in cfg and not is_empty(cfg[k])]
    value, comment = None, ""
    if flag(fp16):
        value = "fp16"
    elif bf16 == "auto":
        value, comment = "auto", "bf16 where the GPU supports it"
    elif bf16 == "full" or flag(bf16):
        value = "bf16"
    elif flag(bf16) is False:
        value, comment = "fp32", "neither bf16 nor fp16"
    if value:
        w.put("training", "precision", value, *keys, comment=comment)
    else:
        for key in keys:
            w.drop(key, cfg[key], "ftspec's precision = auto applies")


def _evaluation(w: Writer, cfg: dict) -> None:
    steps = number(cfg.get("eval_steps"))
    if steps is not None and steps >= 1 and float(steps).is_integer():
        w.number("training", "eval_every", int(steps), "eval_steps", comment="also saves a checkpoint")
    elif steps is not None and 0 < steps < 1:
        w.drop("eval_steps", cfg["eval_steps"], "a fraction of the steps: ftspec's eval_every counts steps")
    patience = cfg.get("early_stopping_patience")
    if is_empty(patience):
        w.note("training", "axolotl stops early only with early_stopping_patience; ftspec does by default "
                           "(patience 3)")
    elif whole(patience) is not None:
        w.number("training.early_stopping", "patience", whole(patience), "early_stopping_patience")


def _trackers(w: Writer, cfg: dict) -> None:
    found: list[tuple[str, list[str]]] = []
    if not is_empty(cfg.get("wandb_project")) and cfg.get("wandb_mode") != "disabled":
        found.append(("wandb", ["wandb_project"]))
    if flag(cfg.get("use_tensorboard")):
        found.append(("tensorboard", ["use_tensorboard"]))
    mlflow = [k for k in ("mlflow_tracking_uri", "mlflow_experiment_name") if not is_empty(cfg.get(k))]
    if mlflow:
        found.append(("mlflow", mlflow))
    if found:
        w.put("training", "report_to", emit.names([n for n, _ in found]), *[k for _, keys in found for k in keys])
