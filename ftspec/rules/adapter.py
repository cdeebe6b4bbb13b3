"""Adapter rules: LoRA rank, alpha, dropout and targets, QLoRA quantisation (guide:
Parameter-Efficient Fine-Tuning)."""

from __future__ import annotations

import difflib
import re

from ftspec.diagnostics import Severity, Span
from ftspec.rules.architectures import architecture
from ftspec.rules.base import Context, Finding, rule
from ftspec.syntax import nodes as n

RANK_MIN, RANK_MAX = 8, 64


@rule("AD001", "adapter.rank-range", Severity.WARNING)
def rank_range(ctx: Context):
    """
    ## What it does
    Flags a LoRA rank `r` outside the guide's typical range of 8 to 64.

    ## Why is this bad?
    The guide (Parameter-Efficient Fine-Tuning): "Rank: higher = more capacity,
    more compute. 8-64 typical." Below 8 the adapter often cannot hold the task;
    above 64 it costs memory and time and overfits small datasets, usually for
    no gain over 64.

    ## Example
    ```
    adapter lora { r = 256  alpha = 512 }
    ```

    ## Use instead
    ```
    adapter lora { r = 16  alpha = 32 }
    ```
    Raise the rank only when a measured evaluation shows the adapter is short
    of capacity.

    ## References
    - guide: Training Strategies > Parameter-Efficient Fine-Tuning (PEFT)
    """
    adapter = ctx.spec.adapter
    if adapter.method == "full" or RANK_MIN <= adapter.r <= RANK_MAX:
        return
    side = "below" if adapter.r < RANK_MIN else "above"
    yield Finding(
        f"LoRA rank {adapter.r} is {side} the guide's typical range {RANK_MIN}-{RANK_MAX}",
        adapter.span_of("r"),
        help="start at r = 16 and raise it only if evaluation shows the adapter lacks capacity",
    )


@rule("AD002", "adapter.alpha-ratio", Severity.WARNING)
def alpha_ratio(ctx: Context):
    """
    ## What it does
    Flags a LoRA `alpha` far from the guide's rule of thumb `alpha = 2 * r`:
    below `r` or above `4 * r`.

    ## Why is this bad?
    LoRA scales its update by `alpha / r`. The guide: "Common rule: alpha = 2 * r".
    With `alpha = r / 2` the update is scaled down fourfold against that rule
    and the adapter learns slowly at the usual learning rates; far above `4 * r`
    it behaves like a much larger learning rate and training gets unstable.

    ## Example
    ```
    adapter lora { r = 32  alpha = 16 }
    ```

    ## Use instead
    ```
    adapter lora { r = 32  alpha = 64 }
    ```
    or leave `alpha` out: ftspec derives `2 * r`.

    ## References
    - guide: Training Strategies > Parameter-Efficient Fine-Tuning (PEFT)
    """
    adapter = ctx.spec.adapter
    if adapter.method == "full" or adapter.alpha is None:
        return
    ratio = adapter.alpha / adapter.r
    if 1 <= ratio <= 4:
        return
    yield Finding(
        f"LoRA alpha {adapter.alpha} is {ratio:g}x the rank {adapter.r}; the guide's rule is alpha = 2 * r",
        adapter.span_of("alpha"),
        help=f"set alpha = {2 * adapter.r}, or remove it to have ftspec derive 2 * r",
    )



DROPOUT_MAX = 0.2


@rule("AD003", "adapter.dropout-range", Severity.WARNING)
def dropout_range(ctx: Context):
    """
    ## What it does
    Flags a LoRA `dropout` above 0.2.

    ## Why is this bad?
    The guide's LoRA configuration (Parameter-Efficient Fine-Tuning) uses
    `lora_dropout=0.05  # Regularization`. Dropout in the adapter drops part of
    its input on every step; a small adapter with strong dropout learns slowly
    and needs more epochs, the opposite of what regularisation is for. Against
    overfitting, prefer fewer epochs, early stopping and more diverse data.

    ## Example
    ```
    adapter lora { r = 16  dropout = 0.5 }
    ```

    ## Use instead
    ```
    adapter lora { r = 16  dropout = 0.05 }
    ```
    (0.1 is common for small datasets.)

    ## References
    - guide: Training Strategies > Parameter-Efficient Fine-Tuning (PEFT)
    - guide: Evaluation > Preventing Overfitting
    """
    adapter = ctx.spec.adapter
    if adapter.method == "full" or adapter.dropout <= DROPOUT_MAX:
        return
    yield Finding(
        f"LoRA dropout {adapter.dropout:g} is above {DROPOUT_MAX:g}; the guide uses lora_dropout = 0.05",
        adapter.span_of("dropout"),
        help="use dropout = 0.05 (0.1 for small datasets); against overfitting use fewer epochs and early stopping",
    )


def _target_spans(ctx: Context) -> dict[str, Span]:
    """The span of each item written in `adapter ... { targets = [...] }`, by name (the first
    occurrence). The spec model keeps only the span of the whole list."""
    spans: dict[str, Span] = {}
    block = next((b for b in ctx.document.body if isinstance(b, n.Block) and b.name == "adapter"), None)
    if block is None:
        return spans
    for item in block.body:
        if isinstance(item, n.Attribute) and item.key == "targets":
            values = item.value.items if isinstance(item.value, n.List) else (item.value,)
            for value in values:
                if isinstance(value, (n.Str, n.Ident)):
                    spans.setdefault(value.value if isinstance(value, n.Str) else value.name, value.span)
            break
    return spans


_MODULE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@rule("AD004", "adapter.unknown-target", Severity.ERROR)
def unknown_target(ctx: Context):
    """
    ## What it does
    Reports a LoRA target module that the base model's architecture does not
    have, such as `query` or `q_proj` on a model whose attention is one fused
    `qkv_proj`.

    The architecture is the `model_type` in the config.json of a local model
    folder, or, for a hub id, the family its name belongs to (Llama, SmolLM,
    Qwen2.5, Qwen3, Mistral, Mixtral, Gemma, Gemma 2, Phi-2, Phi-3, GPT-2,
    Pythia, Falcon, OPT, BLOOM, StarCoder). Names of other models are not
    checked, and neither is `targets = all_linear`. A dotted name is checked by
    its last part (`self_attn.q_proj` by `q_proj`), as PEFT matches it. When
    `targets` is not written, the default Llama-style names are checked, and
    reported at the model.

    ## Why is this bad?
    The guide's LoRA configuration names the attention projections
    (`"q_proj", "v_proj", "k_proj", "o_proj"`), which are Llama-style names.
    Other architectures name their layers differently (GPT-2: `c_attn`; Phi-3:
    `qkv_proj`; Falcon and BLOOM: `query_key_value`). PEFT refuses a target
    that matches no module, after the model has been downloaded and loaded.

    ## Example
    ```
    model { base = "microsoft/Phi-3-mini-4k-instruct" }
    adapter lora { targets = [q_proj, v_proj] }
    ```

    ## Use instead
    ```
    model { base = "microsoft/Phi-3-mini-4k-instruct" }
    adapter lora { targets = [qkv_proj, o_proj] }
    ```
    or `targets = all_linear` to adapt every linear layer, whatever it is called.

    ## References
    - guide: Training Strategies > Parameter-Efficient Fine-Tuning (PEFT)
    """
    adapter = ctx.spec.adapter
    if adapter.method == "full" or adapter.targets == "all_linear":
        return
    arch = architecture(ctx.spec.model.base, ctx.base_dir)
    if arch is None:
        return
    known = ", ".join(sorted(arch.modules))
    unknown = list(dict.fromkeys(t for t in adapter.targets if _unknown(t, arch.modules)))
    if not unknown:
        return
    if adapter.origin("targets") != "user":  # the default targets do not fit this model: point at the model
        names = ", ".join(f"`{t}`" for t in unknown)
        yield Finding(
            f"the default targets {names} are not modules of a `{arch.model_type}` model ({arch.where})",
            ctx.spec.model.span_of("base"),
            help=f"write targets = all_linear in the adapter block, or name modules of {arch.model_type}: {known}",
        )
        return
    spans = _target_spans(ctx)
    for target in unknown:
        near = difflib.get_close_matches(target.rsplit(".", 1)[-1], sorted(arch.modules), n=2, cutoff=0.6)
        hint = f"did you mean {' or '.join(f'`{m}`' for m in near)}? " if near else ""
        yield Finding(
            f"`{target}` is not a module of a `{arch.model_type}` model ({arch.where})",
            spans.get(target) or adapter.span_of("targets"),
            help=f"{hint}modules of {arch.model_type}: {known}; or write targets = all_linear",
        )


def _unknown(target: str, modules: frozenset[str]) -> bool:
    """A target naming no module; PEFT matches a dotted name by its end. Names that are not
    plain identifiers are left alone."""
    name = target.rsplit(".", 1)[-1]
    return _MODULE_NAME.fullmatch(name) is not None and name not in modules


QUANT_4BIT = ("quant_type", "compute_dtype", "double_quant")


@rule("AD005", "adapter.qlora-quant-type", Severity.WARNING)
def qlora_quant_type(ctx: Context):
    """
    ## What it does
    Flags `adapter qlora` with `quant_type = fp4`, and `bits = 8` together with
    a 4-bit option written out (`quant_type`, `compute_dtype`, `double_quant`),
    which 8-bit loading ignores.

    ## Why is this bad?
    The guide's QLoRA configuration (Parameter-Efficient Fine-Tuning) loads the
    base model with `load_in_4bit=True` and `bnb_4bit_quant_type="nf4"`. NF4 is
    built for the normally distributed weights of a pretrained model and loses
    less than FP4 at the same memory. With `bits = 8` the model is loaded with
    LLM.int8(), which has none of the 4-bit options: writing them suggests a
    setting that has no effect.

    ## Example
    ```
    adapter qlora { quant_type = fp4 }
    adapter qlora { bits = 8  quant_type = nf4 }
    ```

    ## Use instead
    ```
    adapter qlora { bits = 4  quant_type = nf4 }
    adapter qlora { bits = 8 }
    ```

    ## References
    - guide: Training Strategies > Parameter-Efficient Fine-Tuning (PEFT)
    """
    adapter = ctx.spec.adapter
    if adapter.method != "qlora":
        return
    if adapter.bits == 8:
        for field in QUANT_4BIT:
            if adapter.origin(field) == "user":
                yield Finding(
                    f"`{field}` is a 4-bit option; with bits = 8 it is ignored",
                    adapter.span_of(field),
                    help=f"remove `{field}`, or use bits = 4 (the guide's QLoRA: load_in_4bit, nf4)",
                )
    elif adapter.quant_type == "fp4":
        yield Finding(
            "quant_type fp4 loses more than nf4; the guide's QLoRA uses bnb_4bit_quant_type = nf4",
            adapter.span_of("quant_type"),
            help="use quant_type = nf4, or remove it (nf4 is the default)",
        )


@rule("AD006", "adapter.qlora-compute-dtype", Severity.WARNING)
def qlora_compute_dtype(ctx: Context):
    """
    ## What it does
    Flags `adapter qlora` with `compute_dtype = float32`.

    ## Why is this bad?
    The guide's QLoRA configuration (Parameter-Efficient Fine-Tuning) computes
    in `bnb_4bit_compute_dtype=torch.bfloat16`. The 4-bit weights are
    dequantised to the compute dtype for every matrix multiplication; in
    float32 the activations take twice the memory and the matmuls run
    slower, which throws away much of what quantisation saved.
    `float16` is fine on GPUs without bfloat16.

    ## Example
    ```
    adapter qlora { compute_dtype = float32 }
    ```

    ## Use instead
    ```
    adapter qlora { compute_dtype = bfloat16 }
    ```
    or leave it out: bfloat16 is the default.

    ## References
    - guide: Training Strategies > Parameter-Efficient Fine-Tuning (PEFT)
    """
    adapter = ctx.spec.adapter
    if adapter.method != "qlora" or adapter.bits != 4 or adapter.compute_dtype != "float32":
        return
    yield Finding(
        "QLoRA compute dtype float32 doubles activation memory and is slow; the guide uses bfloat16",
        adapter.span_of("compute_dtype"),
        help="use compute_dtype = bfloat16 (float16 on GPUs without bfloat16)",
    )


RULES = [rank_range, alpha_ratio, dropout_range, unknown_target, qlora_quant_type, qlora_compute_dtype]
