"""torchtune recipe config -> .ftspec (`ftspec import torchtune CONFIG.yaml`).

torchtune's configs name components (`_component_: torchtune.models.llama3_2.lora_llama3_2_1b`)
with their arguments, and refer to other keys with OmegaConf's `${a.b}`; `resolve` follows
those references within the file. Module names are torchtune's and are mapped to the names
of transformers' modules, which ftspec's `targets` use. docs/import.md has the mapping table.
"""

from __future__ import annotations

import re
from typing import Any

from ftspec.importers import emit
from ftspec.importers.emit import Conversion, Writer, flag, number, whole

TOOL = "torchtune"
_REF = re.compile(r"\$\{([^${}]+)\}")
_MISSING = object()
# torchtune's attention projections, by their names in transformers' Llama-style models.
ATTENTION = {"q_proj": "q_proj", "k_proj": "k_proj", "v_proj": "v_proj", "output_proj": "o_proj"}
MLP = ["gate_proj", "up_proj", "down_proj"]  # torchtune's w1, w3, w2
OPTIMIZERS = {
    "torch.optim.AdamW": "adamw_torch", "torch.optim.SGD": "sgd", "torch.optim.Adagrad": "adagrad",
    "torch.optim.RMSprop": "rmsprop", "bitsandbytes.optim.PagedAdamW8bit": "paged_adamw_8bit",
    "bitsandbytes.optim.PagedAdamW": "paged_adamw_32bit", "bitsandbytes.optim.PagedAdamW32bit": "paged_adamw_32bit",
    "bitsandbytes.optim.AdamW8bit": "adamw_bnb_8bit", "torchao.optim.AdamW8bit": "adamw_torch_8bit",
    "torchao.prototype.low_bit_optim.AdamW8bit": "adamw_torch_8bit",
    "torchao.optim.AdamW4bit": "adamw_torch_4bit", "torchao.prototype.low_bit_optim.AdamW4bit": "adamw_torch_4bit",
}
SCHEDULERS = {"get_cosine_schedule_with_warmup": "cosine", "get_linear_schedule_with_warmup": "linear",
              "get_constant_schedule_with_warmup": "constant_with_warmup", "get_constant_schedule": "constant"}
TRACKERS = {"WandBLogger": "wandb", "TensorBoardLogger": "tensorboard", "MLFlowLogger": "mlflow"}
PRECISIONS = {"bf16": "bf16", "fp32": "fp32", "fp16": "fp16"}
HUB_DEFAULTS = {"alpaca_dataset": "tatsu-lab/alpaca", "alpaca_cleaned_dataset": "yahma/alpaca-cleaned",
                "slimorca_dataset": "Open-Orca/SlimOrca-Dedup", "samsum_dataset": "Samsung/samsum",
                "grammar_dataset": "liweili/c4_200m"}
LOCAL_SOURCES = ("json", "csv", "parquet", "arrow", "text")
_TOKENIZER = "ftspec loads the tokenizer from model.base"
_TRACKER = "ftspec passes only the tracker's name (report_to); set the tracker's environment variables"
_OPTIMIZER = "ftspec uses the optimizer's defaults"
_PACKING = "ftspec does not pack several examples into one sequence"
_LOSS = "ftspec computes the loss on the final assistant reply only"
REASONS = {
    "output_dir": "ftspec writes each run to runs/<task>/<timestamp>/, or `ftspec run --output DIR`",
    "max_steps_per_epoch": "ftspec trains for `epochs`; `ftspec run --max-steps N` stops after N steps",
    "resume_from_checkpoint": "`ftspec run --resume` continues a killed run from its last checkpoint",
    "save_adapter_weights_only": "ftspec saves the adapter, and the merged model when asked",
    "shuffle": "ftspec's trainer shuffles the training data each epoch",
    "compile": "ftspec does not torch.compile the model",
    "loss": "ftspec trains with the model's cross-entropy loss on the final assistant reply",
    "log_every_n_steps": "ftspec logs every step to metrics.jsonl",
    "log_peak_memory_stats": "ftspec logs every step to metrics.jsonl",
    "device": "ftspec trains on the GPU when there is one, else the CPU",
    "enable_activation_offloading": "ftspec has gradient_checkpointing on or off only",
    "profiler": "ftspec has no profiler setting", "max_validation_batches": "ftspec validates on the whole split",
    "optimizer_in_bwd": _OPTIMIZER, "run_val_every_n_steps": "not a whole number", "clip_grad_norm": "not a number",
    "dtype": "ftspec's precision is bf16, fp16, fp32 or auto", "seed": "not a whole number",
}
FALLBACK = "no ftspec equivalent"


def resolve(config: dict) -> tuple[dict, list[tuple[str, str]], set[str]]:
    """The config with `${a.b}` references to its own keys replaced; the (key, reference) pairs left
    unresolved; and the keys referred to."""
    unresolved: list[tuple[str, str]] = []
    referred: set[str] = set()

    def lookup(ref: str, seen: frozenset[str]) -> Any:
        node: Any = config
        for part in ref.strip().split("."):
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return _MISSING
        if ref in seen:
            return _MISSING
        referred.add(ref.strip())
        return value(node, ref, seen | {ref})

    def value(node: Any, path: str, seen: frozenset[str]) -> Any:
        if isinstance(node, dict):
            return {k: value(v, f"{path}.{k}" if path else str(k), seen) for k, v in node.items()}
        if isinstance(node, list):
            return [value(v, f"{path}[{i}]", seen) for i, v in enumerate(node)]
        if not isinstance(node, str) or "${" not in node:
            return node
        whole_ref = _REF.fullmatch(node)
        if whole_ref:
            found = lookup(whole_ref.group(1), seen | {path})
            if found is not _MISSING and not (isinstance(found, str) and "${" in found):
                return found
            unresolved.append((path, node))
            return node

        def one(match: re.Match) -> str:
            found = lookup(match.group(1), seen | {path})
            if found is _MISSING or isinstance(found, dict | list) or "${" in str(found):
                unresolved.append((path, match.group(0)))
                return match.group(0)
            return str(found)

        return _REF.sub(one, node)

    resolved = value(config, "", frozenset())
    return resolved, list(dict.fromkeys(unresolved)), referred


def convert(config: dict | str, source_name: str = "torchtune.yaml") -> Conversion:
    """Convert a torchtune recipe config (a mapping, or its YAML text) to ftspec text."""
    cfg, unresolved, referred = resolve(emit.load(config, source_name))
    w = Writer(TOOL, source_name, cfg)
    for key, ref in unresolved:
        w.warn(f"{key}: {emit.show(ref)} refers to no key of this file; it is left as written")
    _model(w, cfg)
    _data(w, cfg)
    _training(w, cfg)
    roots = {ref.split(".")[0] for ref in referred}
    shared = {key: f"other keys refer to it as ${{{key}}}; resolved there" for key in roots}
    w.sweep({**shared, **REASONS}, FALLBACK)
    return w.result(emit.task_name(source_name))


def _component(node: Any) -> str:
    return node.get("_component_", "") if isinstance(node, dict) and isinstance(node.get("_component_"), str) else ""


def _rest(w: Writer, prefix: str, node: dict, reasons: dict[str, str], fallback: str) -> None:
    """List the keys of a component that were neither carried nor listed yet."""
    for key, value in node.items():
        if not w.accounted(f"{prefix}.{key}"):
            w.drop(f"{prefix}.{key}", value, reasons.get(key, fallback))


# -- model and adapter ---------------------------------------------------------------


def _model(w: Writer, cfg: dict) -> None:
    model = cfg.get("model") if isinstance(cfg.get("model"), dict) else {}
    builder = _component(model).rsplit(".", 1)[-1]
    checkpointer = cfg.get("checkpointer") if isinstance(cfg.get("checkpointer"), dict) else {}
    folder = checkpointer.get("checkpoint_dir")
    if isinstance(folder, str) and folder:
        w.put("model", "base", emit.string(folder), "checkpointer.checkpoint_dir",
              comment="a local folder; a Hub id works too")
        if "HF" in _component(checkpointer):
            w.carry("checkpointer._component_")
        elif _component(checkpointer):
            w.warn(f"checkpointer {emit.show(_component(checkpointer))}: ftspec reads Hugging Face model folders "
                   "(config.json, *.safetensors); convert the checkpoint")
    else:
        w.put("model", "base", '"TODO/base-model"', comment="TODO: checkpointer.checkpoint_dir is missing")
    _rest(w, "checkpointer", checkpointer, {
        "_component_": "ftspec reads Hugging Face model folders",
        "checkpoint_files": "ftspec loads every weight file of model.base",
        "model_type": "ftspec reads the architecture from the model's config.json",
        "output_dir": REASONS["output_dir"], "recipe_checkpoint": REASONS["resume_from_checkpoint"],
        "adapter_checkpoint": "ftspec trains a new adapter; it does not load one",
    }, FALLBACK)
    if model:
        w.note("model", f"torchtune's model: {emit.show(_component(model) or model)}")
    quantize = flag(model.get("quantize_base"))
    if builder.startswith("qlora_") or (builder.startswith("lora_") and quantize):
        w.adapter = "qlora"
        w.put("adapter", "bits", "4", *(["model._component_"] + (["model.quantize_base"] if quantize else [])),
              comment="torchtune quantises the base model to NF4")
    elif builder.startswith("lora_"):
        w.carry("model._component_")
    elif builder:
        w.adapter = "full"
        w.carry("model._component_")
        w.note("adapter", "a torchtune model without LoRA: every parameter is trained")
    if w.adapter != "full":
        _lora(w, model)
    _rest(w, "model", model, {
        "use_dora": "ftspec's adapter has r, alpha, dropout, targets and bias only",
        "quantize_base": "ftspec quantises the base model only for adapter qlora",
        "lora_rank": "not a whole number", "lora_alpha": "not a whole number", "lora_dropout": "not a number",
    }, FALLBACK if w.adapter != "full" else "no adapter is trained in full fine-tuning")
    tokenizer = cfg.get("tokenizer") if isinstance(cfg.get("tokenizer"), dict) else {}
    seq = whole(tokenizer.get("max_seq_len"))
    if seq is not None:
        w.number("quality", "max_tokens", seq, "tokenizer.max_seq_len",
                 comment="the longest example: checked, and the training length")
    _rest(w, "tokenizer", tokenizer, {
        "max_seq_len": "not a whole number",
        "prompt_template": "ftspec formats examples with the model's chat template",
    }, _TOKENIZER)


def _lora(w: Writer, model: dict) -> None:
    for key, name, read in (("lora_rank", "r", whole), ("lora_alpha", "alpha", whole),
                            ("lora_dropout", "dropout", number)):
        value = read(model.get(key))
        if value is not None:
            w.number("adapter", name, value, f"model.{key}")
    modules, keys, unknown = [], [], []
    attention = model.get("lora_attn_modules")
    if isinstance(attention, list) and attention:
        keys.append("model.lora_attn_modules")
        for module in attention:
            modules.append(ATTENTION.get(str(module), str(module)))
            if str(module) not in ATTENTION:
                unknown.append(str(module))
    for key, names in (("apply_lora_to_mlp", MLP), ("apply_lora_to_output", ["lm_head"])):
        if key in model and flag(model[key]) is not None:
            keys.append(f"model.{key}")
            modules += names if flag(model[key]) else []
    if modules:
        w.put("adapter", "targets", emit.names(modules), *keys)
        renamed = isinstance(attention, list) and "output_proj" in map(str, attention)
        said = ["torchtune's output_proj is o_proj in transformers"] if renamed else []
        said += ["its MLP's w1, w3, w2 are gate_proj, up_proj, down_proj"] if "gate_proj" in modules else []
        said += ["its output layer is lm_head"] if "lm_head" in modules else []
        if said:
            w.note("adapter", "; ".join(said) + ".")
    elif keys:
        w.warn("no LoRA target module is set: ftspec's default targets (q_proj, k_proj, v_proj, o_proj) apply")
    if unknown:
        w.warn(f"model.lora_attn_modules: {emit.show(unknown)} kept as written; ftspec checks names against "
               "transformers' modules (AD004)")


# -- data ----------------------------------------------------------------------------------


def _data(w: Writer, cfg: dict) -> None:
    dataset = cfg.get("dataset")
    if isinstance(dataset, dict):
        entries = [("dataset", dataset)]
    else:
        entries = [(f"dataset[{i}]", d) for i, d in enumerate(dataset)] if isinstance(dataset, list) else []
        if "dataset" in cfg and not isinstance(dataset, list):
            w.drop("dataset", dataset, "not a dataset component")
    items: list[tuple[str, str]] = []
    for at, entry in entries:
        if isinstance(entry, dict):
            items += _source(w, at, entry, placeholders=True)
        else:
            w.drop(at, entry, "not a dataset component")
    if not items:
        w.put("data", "train", 'jsonl("data/train.jsonl")',
              comment="TODO: placeholder, no dataset could be carried: point it at your training data")
    else:
        one = len(items) == 1
        w.put("data", "train", items[0][0] if one else items, comment=items[0][1] if one else "")
    w.note("data", 'TODO: add held-out eval data (`eval = jsonl("...")`): the guide measures the model on it')
    validation = cfg.get("dataset_validation")
    if isinstance(validation, dict):
        found = _source(w, "dataset_validation", validation, placeholders=False)
        if found:
            w.put("data", "validation", found[0][0], comment=found[0][1])
        else:
            w.warn("dataset_validation could not be carried: ftspec's default validation split (15%) applies")
    every = whole(cfg.get("run_val_every_n_steps"))
    if every is not None:
        w.number("training", "eval_every", every, "run_val_every_n_steps", comment="also saves a checkpoint")


_DATASET_REASONS = {
    "packed": _PACKING, "split": "ftspec reads whole files", "train_on_input": _LOSS,
    "filter_fn": "ftspec reads every example", "column_map": "ftspec's alpaca and chat sources have fixed fields",
    "name": "a Hub dataset configuration",
    "new_system_prompt": "ftspec has one system prompt (data.system), carried from the first dataset",
}


def _source(w: Writer, at: str, entry: dict, placeholders: bool) -> list[tuple[str, str]]:
    builder = _component(entry).rsplit(".", 1)[-1]
    source, files = entry.get("source", HUB_DEFAULTS.get(builder)), entry.get("data_files")
    files = [files] if isinstance(files, str) else files if isinstance(files, list) and files else []
    local = source in LOCAL_SOURCES or (isinstance(source, str) and (
        source.startswith(("/", "./", "../", "~")) or bool(re.search(r"\.(jsonl|json|csv)\Z", source))))
    if local and not files and source not in LOCAL_SOURCES:
        files = [source]
    if not local or not files:
        why = "a Hugging Face Hub dataset: ftspec reads local files" + ("; export it to the placeholder"
                                                                        if placeholders else "")
        w.drop(f"{at}.source" if "source" in entry else f"{at}._component_",
               source if "source" in entry else _component(entry), why)
        for key in [k for k in entry if k not in ("source",) and not w.accounted(f"{at}.{k}")]:
            w.drop(f"{at}.{key}", entry[key], "chose the placeholder's format" if placeholders and key == "_component_"
                   else "belongs to a Hub dataset")
        if not placeholders:
            return []
        stem = re.sub(r"[^A-Za-z0-9._-]+", "-", str(source).rstrip("/").rsplit("/", 1)[-1]) or "dataset"
        fmt = "alpaca" if builder.startswith("alpaca") else "jsonl"
        return [(emit.source(fmt, f"data/{stem}.jsonl"), f"TODO: placeholder for the Hub dataset {emit.show(source)}")]
    fmt, keys, columns, problem = _format(entry, builder, str(files[0]))
    if fmt is None:
        for key, value in entry.items():
            w.drop(f"{at}.{key}", value, problem if key == "_component_" else "belongs to a dataset not carried")
        return []
    w.carry(*[f"{at}.{k}" for k in ("_component_", "source", "data_files", *keys) if k in entry])
    prompt = entry.get("new_system_prompt")
    if isinstance(prompt, str) and prompt and placeholders and not w.has("data", "system"):
        w.put("data", "system", emit.string(prompt), f"{at}.new_system_prompt")
    _rest(w, at, entry, _DATASET_REASONS, FALLBACK)
    if problem:
        w.warn(f"{at}: {problem}")
    comment = f"{at} ({builder})" + ("; TODO: " + problem if problem else "")
    return [(emit.source(fmt, str(f), **columns), comment) for f in files]


def _format(entry: dict, builder: str, path: str) -> tuple[str | None, set[str], dict[str, str], str]:
    """(ftspec format or None, the entry's keys it carries, csv columns, a problem or why not)."""
    ext = path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
    column_map = entry.get("column_map") if isinstance(entry.get("column_map"), dict) else {}
    if builder == "instruct_dataset" or builder.startswith("alpaca"):
        # instruct_dataset reads columns `input` and `output`; the alpaca builders `instruction`, `input`, `output`
        names = ("input", "output") if builder == "instruct_dataset" else ("instruction", "output")
        columns = {"input": column_map.get(names[0], names[0]), "output": column_map.get("output", "output")}
        if not all(isinstance(c, str) for c in columns.values()):
            return None, set(), {}, f"column_map {emit.show(column_map)} does not name columns"
        if ext == "csv" or entry.get("source") == "csv":
            return "csv", {"column_map"} & set(entry), columns, ""
        if ext not in ("jsonl", "json"):
            return None, set(), {}, f"ftspec reads jsonl, json and csv files, not {emit.show(ext or path)}"
        if columns == {"input": "instruction", "output": "output"} and all(
                column_map.get(k, k) == k for k in ("instruction", "input")):
            return "alpaca", {"column_map"} & set(entry), {}, ""
        return "alpaca", set(), {}, ("ftspec's alpaca source reads `instruction`, `input` and `output`: rename "
                                     f"the columns {emit.show(columns['input'])} and {emit.show(columns['output'])}")
    if builder == "chat_dataset":
        if ext not in ("jsonl", "json"):
            return None, set(), {}, f"ftspec reads chat examples from jsonl and json files, not {emit.show(ext)}"
        keys = {"conversation_style", "conversation_column"} & set(entry)
        if entry.get("conversation_style") == "openai" and entry.get("conversation_column") in (None, "messages"):
            return ext, keys, {}, ""
        return ext, keys, {}, (f"{emit.show(entry.get('conversation_style'))} conversations in column "
                               f"{emit.show(entry.get('conversation_column'))}: convert them to `messages` of "
                               "`role`/`content`")
    return None, set(), {}, f"torchtune's {emit.show(builder or 'dataset')} has no ftspec source"


# -- training ----------------------------------------------------------------------------------


def _training(w: Writer, cfg: dict) -> None:
    optimizer = cfg.get("optimizer") if isinstance(cfg.get("optimizer"), dict) else {}
    for key, name, read in (("lr", "learning_rate", number), ("weight_decay", "weight_decay", number)):
        if read(optimizer.get(key)) is not None:
            w.number("training", name, read(optimizer[key]), f"optimizer.{key}")
    for key, name, read in (("epochs", "epochs", number), ("batch_size", "batch_size", whole),
                            ("gradient_accumulation_steps", "grad_accum", whole),
                            ("clip_grad_norm", "max_grad_norm", number), ("seed", "seed", whole)):
        if read(cfg.get(key)) is not None:
            w.number("training", name, read(cfg[key]), key)
    if "clip_grad_norm" in cfg and cfg["clip_grad_norm"] is None:
        w.note("training", "torchtune's clip_grad_norm: null does not clip; ftspec clips at max_grad_norm = 1.0")
    _schedule(w, cfg)
    _optimizer(w, optimizer)
    dtype = cfg.get("dtype")
    if isinstance(dtype, str) and dtype in PRECISIONS:
        w.put("training", "precision", PRECISIONS[dtype], "dtype")
    checkpointing = flag(cfg.get("enable_activation_checkpointing"))
    if checkpointing is not None:
        w.put("training", "gradient_checkpointing", str(checkpointing).lower(), "enable_activation_checkpointing")
    _logger(w, cfg.get("metric_logger"))
    w.note("training", "torchtune has no early stopping; ftspec stops early by default (patience 3)")


def _optimizer(w: Writer, optimizer: dict) -> None:
    component = _component(optimizer)
    if component in OPTIMIZERS:
        fused = component == "torch.optim.AdamW" and flag(optimizer.get("fused"))
        name = "adamw_torch_fused" if fused else OPTIMIZERS[component]
        w.put("training", "optimizer", name, "optimizer._component_", *(["optimizer.fused"] if fused else []))
        if "fused" in optimizer and not fused:
            w.carry("optimizer.fused")
    _rest(w, "optimizer", optimizer, {
        "_component_": "an optimizer transformers does not name; adamw_torch applies",
        "lr": "not a number", "weight_decay": "not a number",
    }, _OPTIMIZER)


def _schedule(w: Writer, cfg: dict) -> None:
    scheduler = cfg.get("lr_scheduler") if isinstance(cfg.get("lr_scheduler"), dict) else {}
    name = _component(scheduler).rsplit(".", 1)[-1]
    if name in SCHEDULERS:
        w.put("training", "scheduler", SCHEDULERS[name], "lr_scheduler._component_")
    steps, per_epoch, epochs = (whole(scheduler.get("num_warmup_steps")), whole(cfg.get("max_steps_per_epoch")),
                                number(cfg.get("epochs")))
    if steps is not None and per_epoch and epochs:
        total = per_epoch * epochs
        w.number("training", "warmup", steps / total, "lr_scheduler.num_warmup_steps", text=emit.percent(steps / total),
                 comment=f"{steps} of max_steps_per_epoch * epochs = {emit.num(total)}")
    _rest(w, "lr_scheduler", scheduler, {
        "_component_": f"ftspec's schedulers are {', '.join(sorted(set(SCHEDULERS.values())))}; cosine applies",
        "num_warmup_steps": "ftspec's warmup is a fraction of the steps, which depend on the data size; "
                            "the default 10% applies",
    }, FALLBACK)


def _logger(w: Writer, logger: Any) -> None:
    if not isinstance(logger, dict):
        return
    tracker = TRACKERS.get(_component(logger).rsplit(".", 1)[-1])
    if tracker:
        w.put("training", "report_to", f"[{tracker}]", "metric_logger._component_")
    _rest(w, "metric_logger", logger,
          {"_component_": "ftspec always writes metrics.jsonl; report_to names other trackers"}, _TRACKER)
