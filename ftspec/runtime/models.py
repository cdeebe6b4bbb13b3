"""Load the base model and tokenizer from a hub id, a local directory or a GGUF file."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _where(base: str) -> tuple[str, dict[str, Any]]:
    path = Path(base).expanduser()
    if path.suffix == ".gguf":
        if not path.is_file():
            raise SystemExit(f"ftspec: model file not found: {path}")
        return str(path.parent), {"gguf_file": path.name}
    if path.exists():
        return str(path), {}
    return base, {}  # a hub id


def load_tokenizer(base: str, revision: str | None = None):
    from transformers import AutoTokenizer

    where, extra = _where(base)
    tokenizer = AutoTokenizer.from_pretrained(where, revision=revision, **extra)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def load_model(base: str, *, dtype: str, revision: str | None = None, quantization: Any = None):
    import torch
    from transformers import AutoModelForCausalLM

    where, extra = _where(base)
    kwargs: dict[str, Any] = {"dtype": getattr(torch, dtype), **extra}
    if quantization is not None:
        kwargs["quantization_config"] = quantization
    if revision:
        kwargs["revision"] = revision
    return AutoModelForCausalLM.from_pretrained(where, **kwargs)
