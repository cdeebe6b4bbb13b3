"""The typed spec: one pydantic model per block, defaults resolved from the guide.

Types and ranges live here; policy (what the guide recommends) lives in rules.
A range here is a hard limit (a dropout of 1.5 is meaningless); the guide's
"8-64 typical" for LoRA rank is a rule, because 128 is legal, only unusual.
Every default names its source (`x-default-source` in the JSON Schema and in
docs/language.md): the guide's section, or ftspec's own reason.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, PrivateAttr, ValidationInfo, field_validator, model_validator

from ftspec.spec import values as v
from ftspec.spec.node import Node, guide, option, tool
from ftspec.spec.vocabulary import DEFAULT_METRICS, ERROR_CATEGORIES, METRICS, RUNGS, WHY

TaskKind = Literal["classification", "extraction", "style", "reasoning", "knowledge"]
Metric = Literal[METRICS]  # type: ignore[valid-type]
Level = Literal["error", "warn", "off"]
Fraction = Annotated[float, option(ge=0.0, le=1.0)]


# -- task ------------------------------------------------------------------------


class OutputFormat(Node):
    kind: Literal["label", "text", "json", "regex", "json_schema"]
    pattern: str | None = None
    schema_path: str | None = None


class Task(Node):
    """`task "name" { ... }`: what the model must learn to do."""

    name: str = option(description="The task's name (the block label); names the build and run folders.")
    kind: TaskKind = option(
        description="Task kind; selects the guide's sizing row and the default metrics.",
        source=guide("Data Sizing Guidelines", "one row per kind"),
    )
    goal: str | None = option(None, description="One sentence saying what a correct output is.")
    labels: Annotated[
        list[str] | Literal["from_data"] | None,
        BeforeValidator(lambda x: str(x) if isinstance(x, v.Name) else x),
    ] = option(
        None,
        description="Classification labels, or `from_data` to take them from the training data.",
    )
    output: Annotated[OutputFormat | None, BeforeValidator(v.output_value)] = option(
        None,
        description="What a reply must look like: `label`, `text`, `json`, `regex(\"...\")`, "
        "`json_schema(\"file.json\")`. Derived: `label` for classification, else `text`.",
        source=tool("derived from kind"),
    )

    @field_validator("name")
    @classmethod
    def _name_is_a_folder_name(cls, value: str) -> str:
        if not value or not all(c.isalnum() or c in "-_." for c in value) or value.startswith("."):
            raise v.invalid(
                f"task name `{value}` must be letters, digits, `-`, `_` or `.` "
                "(it names the build folder)"
            )
        return value


# -- decision --------------------------------------------------------------------


class PromptBaseline(Node):
    """The measured or declared score of the prompted base model on the eval set."""

    metric: Metric = option("accuracy", description="Metric the score is in.", source=tool("the usual metric"))
    score: float | None = option(None, ge=0.0, le=1.0, description="Score of the prompted base model, 0-1.")
    shots: int = option(5, ge=0, description="Few-shot examples in the prompt.",
                        source=guide("The Decision Framework", "step 1: try a better prompt first"))


class Decision(Node):
    """`decision { ... }`: the guide's decision tree, answered and versioned."""

    prompt_baseline: PromptBaseline | None = option(
        None, description="Score of the best prompt so far (guide anti-pattern: no evaluation baseline)."
    )
    needs_current_knowledge: bool = option(
        False, description="True if answers depend on up-to-date facts (then: RAG, not fine-tuning).",
        source=guide("The Decision Framework", "do NOT fine-tune 2"))
    task_stable: bool = option(
        True, description="False if the task changes often (then: keep prompting).",
        source=guide("The Decision Framework", "do NOT fine-tune 4"))
    output_definable: bool = option(
        True, description="False if you cannot say what a correct output is (then: no fine-tuning).",
        source=guide("The Decision Framework", "do NOT fine-tune 5"))
    why: Annotated[list[Literal[WHY]], BeforeValidator(v.one_or_many)] = option(  # type: ignore[valid-type]
        [], description="Why fine-tune: " + ", ".join(WHY) + " (the guide's 'Fine-tune when' list).",
        source=guide("The Decision Framework", "fine-tune when"))
    retrain: Literal["monthly", "quarterly", "yearly", "on_drift", "never"] | None = option(
        None, description="How often the model is retrained on fresh data (guide anti-pattern: one-and-done training).")


# -- data ------------------------------------------------------------------------


class Source(Node):
    format: Literal["jsonl", "json", "csv", "alpaca"]
    path: str
    input: str | None = option(None, description="csv: column holding the user message.")
    output: str | None = option(None, description="csv: column holding the assistant reply.")
    category: str | None = option(None, description="csv: column holding the category (default: output).")
    delimiter: str | None = option(None, description="csv: field delimiter (default `,`).")


SourceField = Annotated[Source, BeforeValidator(v.source_call)]


class Validation(Node):
    fraction: float = option(0.15, ge=0.0, lt=1.0,
                             source=guide("Preventing Overfitting", "a held-out validation set of 10-20%"))
    stratified: bool | None = option(
        None, description="Keep category proportions; derived: true for classification.",
        source=tool("derived from kind"))
    source: SourceField | None = option(None, description="A separate validation file instead of a split.")


class Data(Node):
    """`data { ... }`: where examples come from and how they are split."""

    train: Annotated[list[SourceField], BeforeValidator(v.one_or_many), option(min_length=1)] = option(
        description="Training data: a source, or a list of sources.")
    eval: Annotated[list[SourceField] | None, BeforeValidator(v.one_or_many)] = option(
        None, description="Held-out evaluation data: never trained on, never used to pick checkpoints.")
    validation: Annotated[Validation, BeforeValidator(v.validation_phrase)] = option(
        Validation, description="Validation split: `15%`, `15% stratified`, or a source.",
        source=guide("Preventing Overfitting", "10-20%"))
    system: str | None = option(None, description="System prompt added to every example that has none.")
    general: Annotated[list[SourceField] | None, BeforeValidator(v.one_or_many)] = option(
        None, description="General-purpose examples mixed into training, against catastrophic forgetting; "
        "never split into validation, never counted for sizing.")
    train_examples: int | None = option(
        None, ge=0, description="Declared number of training examples, used when the data cannot be read.")


# -- quality ---------------------------------------------------------------------


class QualityCheck(Node):
    level: Level
    threshold: float | None = option(None, ge=0.0, le=1.0)
    max_ratio: float | None = option(None, ge=1.0)


def _check(number_key: str | None = None, **defaults: float) -> Any:
    """A QualityCheck written as a phrase: `error`, `warn 0.9`, `warn max_ratio 3`."""
    return Annotated[
        QualityCheck,
        BeforeValidator(lambda x: v.check_phrase(x, number_key=number_key, defaults=defaults)),
    ]


class Quality(Node):
    """`quality { ... }`: the guide's data quality checklist, each item a check."""

    duplicates: _check() = option(  # type: ignore[valid-type]
        factory=lambda: QualityCheck(level="error"), description="Exact duplicates after normalising.",
        source=guide("Data Quality Checklist", "diversity"))
    near_duplicates: _check("threshold", threshold=0.9) = option(  # type: ignore[valid-type]
        factory=lambda: QualityCheck(level="warn", threshold=0.9),
        description="Near duplicates above a similarity threshold.",
        source=guide("Data Quality Checklist", "diversity"))
    contamination: _check("threshold") = option(  # type: ignore[valid-type]
        factory=lambda: QualityCheck(level="error"), description="Train/validation examples that also appear in eval.",
        source=guide("Data Quality Checklist", "no_contamination"))
    conflicts: _check() = option(  # type: ignore[valid-type]
        factory=lambda: QualityCheck(level="error"), description="The same input with different outputs.",
        source=guide("Data Quality Checklist", "consistency"))
    balance: _check("max_ratio", max_ratio=3.0) = option(  # type: ignore[valid-type]
        factory=lambda: QualityCheck(level="warn", max_ratio=3.0), description="Largest / smallest category count.",
        source=guide("Data Quality Checklist", "balance"))
    max_tokens: int = option(2048, gt=0, description="Longest example, in tokens of the base model.",
                             source=tool("fits common 2k-context small models"))


# -- model and adapter -----------------------------------------------------------


class Model(Node):
    """`model { ... }`: the base model to adapt."""

    base: str = option(description="Hub id, local directory or offline alias of the base model.")
    revision: str | None = option(None, description="Hub revision (commit, tag) to pin.")


QLORA_ONLY = ("bits", "quant_type", "compute_dtype", "double_quant")
_QLORA = guide("Parameter-Efficient Fine-Tuning", "QLoRA")


class Adapter(Node):
    """`adapter lora { ... }`, `adapter qlora { ... }` or `adapter full { }`."""

    method: Literal["lora", "qlora", "full"] = option(
        "lora", description="The block label: lora, qlora or full.",
        source=guide("Parameter-Efficient Fine-Tuning", "LoRA is the most common PEFT method"))
    r: int = option(16, ge=1, le=4096, description="LoRA rank.", source=guide("Parameter-Efficient Fine-Tuning"))
    alpha: int | None = option(None, ge=1, description="LoRA scaling; derived: 2 * r.",
                               source=guide("Parameter-Efficient Fine-Tuning", "alpha = 2 * r"))
    dropout: float = option(0.05, ge=0.0, lt=1.0, source=guide("Parameter-Efficient Fine-Tuning"))
    targets: Annotated[list[str] | Literal["all_linear"], BeforeValidator(
        lambda x: "all_linear" if x == "all_linear" else v.one_or_many(x)), option(min_length=1)] = option(
        ["q_proj", "k_proj", "v_proj", "o_proj"], description="Modules to adapt, or `all_linear`.",
        source=guide("Parameter-Efficient Fine-Tuning", "attention layers are highest impact"))
    bias: Literal["none", "all", "lora_only"] = option("none", source=guide("Parameter-Efficient Fine-Tuning"))
    bits: Literal[4, 8] = option(4, description="qlora: quantisation bits.", source=_QLORA)
    quant_type: Literal["nf4", "fp4"] = option("nf4", description="qlora: 4-bit data type.", source=_QLORA)
    compute_dtype: Literal["bfloat16", "float16", "float32"] = option(
        "bfloat16", description="qlora: dtype of the matmuls.", source=_QLORA)
    double_quant: bool = option(True, description="qlora: quantise the quantisation constants too.",
                                source=tool("the QLoRA paper's setting; saves ~0.4 bit per parameter"))

    @field_validator(*QLORA_ONLY)
    @classmethod
    def _qlora_only(cls, value: Any, info: ValidationInfo) -> Any:
        if info.data.get("method") != "qlora":
            raise v.invalid(f"`{info.field_name}` applies to `adapter qlora` only")
        return value

    @field_validator("r", "alpha", "dropout", "targets", "bias")
    @classmethod
    def _not_for_full(cls, value: Any, info: ValidationInfo) -> Any:
        if info.data.get("method") == "full":
            raise v.invalid(f"`{info.field_name}` has no meaning for `adapter full` (no adapter is trained)")
        return value


# -- training --------------------------------------------------------------------


class EarlyStopping(Node):
    patience: int = option(3, ge=1, source=guide("Training Monitoring",
                                                 "stop when validation loss has not improved for 3 rounds"))
    metric: Metric = option("eval_loss", source=guide("Training Monitoring", "validation loss"))
    min_delta: float = option(0.0, ge=0.0, source=tool("any improvement counts"))


def _off_is_none(value: Any) -> Any:
    return None if value == "off" else value


class Training(Node):
    """`training { ... }`: the guide's hyperparameters."""

    learning_rate: float = option(
        2e-4, gt=0.0, lt=1.0,
        description="Derived: 2e-4 for lora/qlora, 2e-5 for full fine-tuning.",
        source=guide("Hyperparameter Guidelines", "2e-5 is the full fine-tuning start; LoRA trains ~10x higher"))
    epochs: float = option(3, gt=0, le=1000, source=guide("Hyperparameter Guidelines", "2-5 epochs typical"))
    batch_size: int = option(4, ge=1, source=guide("Hyperparameter Guidelines"))
    grad_accum: int = option(4, ge=1, source=guide("Hyperparameter Guidelines"))
    warmup: float = option(0.1, ge=0.0, lt=1.0, description="Fraction of steps spent warming up.",
                           source=guide("Hyperparameter Guidelines", "5-10% of total steps"))
    weight_decay: float = option(0.01, ge=0.0, lt=1.0, source=guide("Hyperparameter Guidelines"))
    scheduler: Literal["cosine", "linear", "constant", "constant_with_warmup"] = option(
        "cosine", source=guide("Hyperparameter Guidelines", "cosine or linear both work"))
    max_grad_norm: float = option(1.0, gt=0.0, source=guide("Hyperparameter Guidelines", "gradient clipping"))
    optimizer: str = option("adamw_torch", source=tool("the transformers default"))
    precision: Literal["auto", "bf16", "fp16", "fp32"] = option(
        "auto", description="`auto`: bf16 on GPUs that support it, fp32 on CPU.",
        source=tool("measured: bf16 on CPU is ~15x slower"))
    distributed: Literal["ddp", "fsdp"] = option(
        "ddp", description="How `ftspec run --processes N` shares the work: DDP, or FSDP (GPUs only).",
        source=tool("DDP replicates a small adapter's model cheaply; FSDP shards models too big for one GPU"))
    gradient_checkpointing: bool = option(
        False, description="Trade compute for memory: recompute activations in the backward pass.",
        source=tool("measured: on a CPU it only slows training; turn it on when GPU memory is short"))
    eval_every: int | None = option(
        None, ge=1, description="Evaluate (and checkpoint) every N optimizer steps; default: about 10 times a run.",
        source=tool("derived at run time from the data size"))
    save_best: bool = option(True, description="Keep the checkpoint with the best validation metric.",
                             source=guide("Training Monitoring", "save the best checkpoint, not the last"))
    early_stopping: Annotated[EarlyStopping | None, BeforeValidator(_off_is_none)] = option(
        EarlyStopping, description="`early_stopping { ... }`, or `early_stopping = off`.",
        source=guide("Training Monitoring"))
    seed: int = option(42, ge=0, source=tool("a fixed seed makes runs repeatable"))
    report_to: Annotated[list[Literal["tensorboard", "wandb", "mlflow"]], BeforeValidator(v.one_or_many)] = option(
        [], description="Also send monitoring to these trackers (metrics.jsonl is always written).",
        source=tool("nothing leaves the machine unless asked"))


# -- evaluation ------------------------------------------------------------------


class Automated(Node):
    metrics: Annotated[list[Metric] | None, BeforeValidator(v.one_or_many), option(min_length=1)] = option(
        None, description="Tier 1 metrics; derived from the task kind.",
        source=guide("Evaluation Strategy", "task_specific"))


class Rung(Node):
    shots: int = option(0, ge=0, source=tool("zero-shot: the base model as it is"))


class PromptedRung(Node):
    shots: int = option(5, ge=1, source=guide("The Decision Framework", "few-shot prompting"))


class LargerRung(Node):
    model: str = option(description="Hub id, local directory, or model name at `endpoint`.")
    endpoint: str | None = option(None, description="URL of an OpenAI-compatible chat endpoint.")
    api_key_env: str | None = option(None, description="Environment variable holding the endpoint's key.")


class Compare(Node):
    """Rungs of the ladder; `base = off` / `prompted_base = off` leave one out."""

    base: Annotated[Rung | None, BeforeValidator(_off_is_none)] = option(
        Rung, source=guide("Evaluation Strategy", "vs_base_model"))
    prompted_base: Annotated[PromptedRung | None, BeforeValidator(_off_is_none)] = option(
        PromptedRung, source=guide("Evaluation Strategy", "vs_prompted_base"))
    larger: LargerRung | None = option(None, source=guide("Evaluation Strategy", "vs_larger_model"))


class Term(Node):
    sign: Literal[1, -1] = 1
    rung: Literal[RUNGS] | None = None  # type: ignore[valid-type]
    metric: Metric | None = None
    number: float | None = None


class Criterion(Node):
    """`accept fine_tuned.accuracy >= prompted_base.accuracy + 0.10`."""

    text: str
    left: list[Term]
    op: Literal[">=", ">", "<=", "<", "==", "!="]
    right: list[Term]


class Human(Node):
    blind_pairs: int = option(50, ge=1, source=guide("Evaluation Strategy", "blind_comparison"))
    error_categories: Annotated[list[str], BeforeValidator(v.one_or_many), option(min_length=1)] = option(
        list(ERROR_CATEGORIES),
                                         source=guide("Evaluation Strategy", "error_categorization"))
    against: Literal["base", "prompted_base", "larger"] = option(
        "prompted_base", source=guide("Evaluation Strategy", "vs_prompted_base"))


class Eval(Node):
    """`eval { ... }`: the guide's three tiers and the acceptance criteria."""

    automated: Automated = option(Automated, source=guide("Evaluation Strategy", "tier 1"))
    compare: Compare = option(Compare, source=guide("Evaluation Strategy", "tier 2"))
    accept: list[Criterion] = option([], description="Acceptance criteria; all must hold.")
    human: Human | None = option(None, source=guide("Evaluation Strategy", "tier 3"))
    max_new_tokens: int = option(64, ge=1, source=tool("enough for a label or a short answer"))


# -- augment ---------------------------------------------------------------------

_AUGMENT = guide("Data Augmentation")
# `{card}` in a template is a slot; `{{card}}` is the text `{card}`; other braces (JSON's) are text.
SLOT = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)\}(?!\})")
ESCAPED = re.compile(r"\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}")
SLOT_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAX_COMBINATIONS = 1000  # without `count`, a template group makes every combination, up to this many


def slots(text: str) -> list[str]:
    """The slot names a template uses, in order of first use."""
    return list(dict.fromkeys(SLOT.findall(text)))


class TemplateGroup(Node):
    """`template { NAME { inputs = [...]  output = "..."  fill { SLOT = [...] } } }`."""

    inputs: Annotated[list[str], BeforeValidator(v.one_or_many), option(min_length=1)] = option(
        description="User messages with `{slot}`s, filled with every combination of the slots' values.",
        source=guide("Data Augmentation", "template_variation: create templates and fill with entities/values"))
    output: str = option(description="The reply to every filled input; may use the same `{slot}`s.")
    fill: dict[str, Annotated[list[str], BeforeValidator(v.one_or_many), option(min_length=1)]] = option(
        {}, description="`fill { slot = [\"value\", ...] }`: the values of each slot.")
    count: int | None = option(
        None, ge=1, description="At most this many candidates, drawn by the seed from every combination; "
        f"default: every combination (at most {MAX_COMBINATIONS}).", source=tool("every combination"))

    @field_validator("fill")
    @classmethod
    def _fill_values(cls, fill: dict[str, list[str]]) -> dict[str, list[str]]:
        for name, values in fill.items():
            if not SLOT_NAME.match(name):
                raise v.invalid(f"slot `{name}`: a slot's name is letters, digits and `_` (it is written `{{name}}`)")
            if any(not value.strip() for value in values):
                raise v.invalid(f"slot `{name}` has an empty value")
            repeated = next((value for i, value in enumerate(values) if value in values[:i]), None)
            if repeated is not None:
                raise v.invalid(f"slot `{name}` lists `{repeated}` twice")
        return fill

    @field_validator("inputs")
    @classmethod
    def _distinct_inputs(cls, inputs: list[str]) -> list[str]:
        repeated = next((text for i, text in enumerate(inputs) if text in inputs[:i]), None)
        if repeated is not None:
            raise v.invalid(f"`inputs` lists `{repeated}` twice")
        return inputs

    @model_validator(mode="after")
    def _slots_are_filled(self) -> TemplateGroup:
        used = {name for text in (*self.inputs, self.output) for name in slots(text)}
        missing = sorted(used - set(self.fill))
        if missing:
            raise v.invalid(f"slot `{{{missing[0]}}}` has no values: add `fill {{ {missing[0]} = [\"...\"] }}` "
                            f"(or write `{{{{{missing[0]}}}}}` for the text `{{{missing[0]}}}`)")
        unused = sorted(set(self.fill) - used)
        if unused:
            raise v.invalid(f"`fill` has values for `{unused[0]}`, which no template uses: "
                            f"write `{{{unused[0]}}}` in an input, or remove it")
        if self.count is None and self.combinations() > MAX_COMBINATIONS:
            raise v.invalid(f"these templates make {self.combinations()} combinations: set `count` "
                            f"(at most {MAX_COMBINATIONS} are made without it)")
        return self

    def combinations(self) -> int:
        """How many filled inputs the group can make: per input, the product of its slots' values
        (the output's slots are those of the input it goes with; a slot only in the output adds
        its own factor)."""
        total = 0
        for text in self.inputs:
            n = 1
            for name in dict.fromkeys(slots(text) + slots(self.output)):
                n *= len(self.fill[name])
            total += n
        return total


class Paraphrase(Node):
    """`paraphrase { count = 40 }`: training inputs rephrased by the endpoint's model."""

    count: int = option(20, ge=1, le=10_000, description="Candidates to make.",
                        source=tool("a batch one reviewer clears in a sitting"))
    per_example: int = option(2, ge=1, le=20, description="Paraphrases asked for per training example.",
                              source=tool("two variants keep the set diverse"))


class BackTranslation(Node):
    """`back_translation { via = [German, French] }`: training inputs translated out and back."""

    count: int = option(20, ge=1, le=10_000, description="Candidates to make.",
                        source=tool("a batch one reviewer clears in a sitting"))
    via: Annotated[list[str], BeforeValidator(v.one_or_many), option(min_length=1)] = option(
        ["German"], description="Languages to translate through, one per training example in turn.",
        source=guide("Data Augmentation", "back_translation: translate to another language and back"))
    language: str = option("English", description="The language of the training inputs (the way back).",
                           source=tool("the usual language of the data"))


class Synthetic(Node):
    """`synthetic { count = 40 }`: new examples written by the endpoint's model from seed examples."""

    count: int = option(20, ge=1, le=10_000, description="Candidates to make.",
                        source=tool("a batch one reviewer clears in a sitting"))
    shots: int = option(5, ge=1, le=50, description="Training examples shown to the model per request.",
                        source=guide("Data Augmentation", "seed examples"))
    per_request: int = option(5, ge=1, le=50, description="New examples asked for per request.",
                              source=tool("short replies parse reliably"))


class Augment(Node):
    """`augment { ... }`: the guide's augmentation strategies; every candidate is reviewed by a person."""

    into: str = option(description="The JSONL file accepted examples are written to (name it in `data.train` "
                       "once reviewed); candidates and decisions go to the folder beside it, `<into>.review/`.")
    template: dict[str, TemplateGroup] = option({}, description="Named template groups.", source=_AUGMENT)
    paraphrase: Paraphrase | None = option(None, source=guide("Data Augmentation", "paraphrasing"))
    synthetic: Synthetic | None = option(None, source=guide("Data Augmentation", "synthetic_generation"))
    back_translation: BackTranslation | None = option(None, source=guide("Data Augmentation", "back_translation"))
    endpoint: str | None = option(None, description="URL of an OpenAI-compatible chat endpoint "
                                  "(paraphrase, synthetic, back_translation).")
    model: str | None = option(None, description="Model name at `endpoint`.")
    api_key_env: str | None = option(None, description="Environment variable holding the endpoint's key.")
    temperature: float = option(0.9, ge=0.0, le=2.0, description="Sampling temperature of the endpoint's model.",
                                source=tool("varied candidates; review filters the odd ones"))
    seed: int | None = option(None, ge=0, description="Seed for every choice augment makes; derived: training.seed.",
                              source=tool("derived from training.seed"))

    @field_validator("endpoint")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^/:\s]+(:\d+)?(/\S*)?$", value):
            raise v.invalid(f"`endpoint` is the URL of an OpenAI-compatible API, such as "
                            f"`https://api.openai.com/v1`; got `{value}`")
        return value

    @field_validator("into")
    @classmethod
    def _jsonl(cls, value: str) -> str:
        if not value.endswith(".jsonl"):
            raise v.invalid(f"`into` is a chat JSONL file (`.jsonl`), where provenance can go with each example; "
                            f"got `{value}`")
        return value

    @model_validator(mode="after")
    def _strategies(self) -> Augment:
        asking = [name for name in ("paraphrase", "synthetic", "back_translation") if getattr(self, name)]
        if not self.template and not asking:
            raise v.invalid("`augment` needs at least one strategy: `template { ... }`, `paraphrase { }`, "
                            "`synthetic { }` or `back_translation { }`")
        if asking and not (self.endpoint and self.model):
            raise v.invalid(f"`{asking[0]}` asks a model: set `endpoint` (an OpenAI-compatible URL) and `model`")
        return self


# -- the spec --------------------------------------------------------------------


class Spec(Node):
    """A whole .ftspec file."""

    _document: Any = PrivateAttr(default=None)  # the syntax tree it was built from

    version: int = option(1, description="Language version (`ftspec 1`).")
    task: Task
    decision: Decision = option(Decision)
    data: Data
    quality: Quality = option(Quality)
    sizing: Literal["recommended", "minimum"] = option(
        "recommended", description="Which column of the guide's sizing table must be met.",
        source=guide("Data Sizing Guidelines"))
    model: Model
    adapter: Adapter = option(Adapter)
    training: Training = option(Training)
    eval: Eval = option(Eval)
    augment: Augment | None = option(None, description="Augmentation strategies (`ftspec augment`).",
                                     source=guide("Data Augmentation"))

    @model_validator(mode="after")
    def _derive(self) -> Spec:
        """Fill defaults that depend on other values; each is marked `derived`."""
        kind = self.task.kind
        self.task.derive("output", OutputFormat(kind="label" if kind == "classification" else "text"))
        self.data.validation.derive("stratified", kind == "classification")
        if self.data.validation.source is not None:
            self.data.validation.derive("fraction", 0.0)  # a separate file: no split of train
        if self.adapter.method != "full":
            self.adapter.derive("alpha", 2 * self.adapter.r)
        else:
            self.training.derive("learning_rate", 2e-5)
        self.eval.automated.derive("metrics", list(DEFAULT_METRICS[kind]))
        if self.augment is not None:
            self.augment.derive("seed", self.training.seed)
        return self


BLOCKS: dict[str, type[Node]] = {
    "task": Task, "decision": Decision, "data": Data, "quality": Quality, "model": Model,
    "adapter": Adapter, "training": Training, "eval": Eval, "augment": Augment,
}
