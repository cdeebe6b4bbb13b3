"""Module names of common base-model architectures, for checking LoRA `targets` (rule AD004).

A table from transformers' `model_type` to the names of the modules LoRA can adapt in a
`...ForCausalLM` model of that type: the linear layers, the output head and the
embeddings (PEFT adapts `nn.Linear`, transformers' `Conv1D` and `nn.Embedding`). The
names were read from transformers' modeling files; where transformers 4 and 5 differ
(mixture-of-experts layers, GPT-NeoX's output head), both spellings are listed, so a name
valid in either is never reported.

The architecture comes from the `model_type` of a local model folder's config.json, or is
guessed from a hub id by family patterns. Anything else is unknown, and AD004 says nothing.
No transformers import: this runs on the lint path.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

# Llama's layout, shared by many families: attention q/k/v/o, a gated MLP.
_LLAMA = frozenset({"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj",
                    "lm_head", "embed_tokens"})
_BLOOM = frozenset({"query_key_value", "dense", "dense_h_to_4h", "dense_4h_to_h", "lm_head", "word_embeddings"})
_GPT2 = frozenset({"c_attn", "c_proj", "c_fc", "q_attn", "lm_head", "wte", "wpe"})

MODULES: dict[str, frozenset[str]] = {
    "llama": _LLAMA,
    "mistral": _LLAMA,
    "qwen2": _LLAMA,
    "qwen3": _LLAMA,
    "gemma": _LLAMA,
    "gemma2": _LLAMA,
    "gemma3_text": _LLAMA,
    "smollm3": _LLAMA,
    "stablelm": _LLAMA,
    "olmo": _LLAMA,
    "olmo2": _LLAMA,
    "granite": _LLAMA,
    "cohere": _LLAMA,
    # Mixture of experts: the router `gate` and the experts' w1/w2/w3 (transformers 4; in 5
    # the experts are fused parameters, not modules).
    "mixtral": frozenset({"q_proj", "k_proj", "v_proj", "o_proj", "gate", "w1", "w2", "w3",
                          "lm_head", "embed_tokens"}),
    "qwen2_moe": _LLAMA | {"gate", "shared_expert_gate"},
    "qwen3_moe": _LLAMA | {"gate"},
    "phi3": frozenset({"qkv_proj", "o_proj", "gate_up_proj", "down_proj", "lm_head", "embed_tokens"}),
    "phi": frozenset({"q_proj", "k_proj", "v_proj", "dense", "fc1", "fc2", "lm_head", "embed_tokens"}),
    "gpt2": _GPT2,
    "gpt_bigcode": _GPT2,
    "gpt_neox": frozenset({"query_key_value", "dense", "dense_h_to_4h", "dense_4h_to_h",
                           "embed_out", "lm_head", "embed_in"}),
    "gptj": frozenset({"q_proj", "k_proj", "v_proj", "out_proj", "fc_in", "fc_out", "lm_head", "wte"}),
    "falcon": _BLOOM,
    "bloom": _BLOOM,
    "opt": frozenset({"q_proj", "k_proj", "v_proj", "out_proj", "fc1", "fc2", "project_in", "project_out",
                      "lm_head", "embed_tokens", "embed_positions"}),
    "starcoder2": frozenset({"q_proj", "k_proj", "v_proj", "o_proj", "c_fc", "c_proj", "lm_head", "embed_tokens"}),
}

# Names that belong to another architecture than their family's usual one (vision and audio
# models, hybrids, mixtures of experts not listed above): no guess for these.
_NO_GUESS = re.compile(
    r"vision|[-_.]vl\b|[-_]vl[-_]|audio|omni|llava|pixtral|multimodal|mamba|nemotron|\bmoe\b|"
    r"llama-?4|qwen3-next|qwen3\.5|paligemma|recurrentgemma|phi-3-small|flash|falcon-h1|ministral-3"
)

# (pattern on the lower-cased model name, model_type), first match wins.
_FAMILIES: list[tuple[re.Pattern[str], str]] = [(re.compile(p), t) for p, t in [
    (r"smollm3", "smollm3"),
    (r"smollm", "llama"),
    (r"(^|/)falcon3-", "llama"),
    (r"llama", "llama"),
    (r"mixtral", "mixtral"),
    (r"mistral-7b|mistral-nemo|ministral-8b|mathstral|codestral-22b|"
     r"mistral-small-(instruct-2409|24b-(base|instruct)-2501)", "mistral"),
    (r"qwen3-[^/]*-a\d+(\.\d+)?b", "qwen3_moe"),
    (r"qwen2[^/]*-a\d+(\.\d+)?b", "qwen2_moe"),
    (r"qwen3(?![.\d])", "qwen3"),
    (r"qwen2(\.5)?(?![.\d])|qwen1\.5|(^|/)qwq-", "qwen2"),
    (r"(^|/)(gemma-2-|gemma2)", "gemma2"),
    (r"(^|/)(gemma-(1\.1-)?(2b|7b)|codegemma)", "gemma"),
    (r"(^|[/_-])phi-?4(?![.\d])", "phi3"),
    (r"(^|[/_-])phi-?3(\.5)?-(mini|medium)", "phi3"),
    (r"(^|[/_-])phi-?(1_5|1\.5|1|2)(?![.\d])", "phi"),
    (r"(^|/)(distil)?gpt2(-medium|-large|-xl)?$", "gpt2"),
    (r"(^|/)(pythia-|gpt-neox-)", "gpt_neox"),
    (r"(^|/)gpt-j-6b", "gptj"),
    (r"(^|/)falcon-(7b|11b|40b|180b|rw-)", "falcon"),
    (r"(^|/)opt-\d", "opt"),
    (r"(^|/)bloomz?(-|$)", "bloom"),
    (r"starcoder2", "starcoder2"),
    (r"(^|/)(starcoder|starcoderbase|tiny_starcoder)(?!2)", "gpt_bigcode"),
]]


@dataclass(frozen=True)
class Architecture:
    model_type: str
    where: str  # how it was found, for messages: "model_type in .../config.json", "guessed from ..."

    @property
    def modules(self) -> frozenset[str]:
        return MODULES[self.model_type]


def guess(name: str) -> str | None:
    """The model_type of a hub id by its family's naming, or None when not sure."""
    lowered = name.strip().lower()
    if _NO_GUESS.search(lowered):
        return None
    return next((t for pattern, t in _FAMILIES if pattern.search(lowered)), None)


def architecture(base: str, base_dir: Path) -> Architecture | None:
    """The base model's architecture, when known: a local folder's config.json decides;
    a name that is not a local path is guessed from. A local path without a readable
    config.json, or a model_type not in the table, is unknown."""
    try:
        path = Path(base).expanduser()
        if not path.is_absolute():
            path = base_dir / path
        local = path.exists()
    except (OSError, ValueError, RuntimeError):
        return None
    if local:
        config = path / "config.json"
        try:
            model_type = json.loads(config.read_text(encoding="utf-8")).get("model_type")
        except (OSError, ValueError, AttributeError):
            return None
        if isinstance(model_type, str) and model_type in MODULES:
            return Architecture(model_type, f"model_type in {Path(base) / 'config.json'}")
        return None
    model_type = guess(base)
    return Architecture(model_type, f"guessed from the model name \"{base}\"") if model_type else None
