"""Load the base model and tokenizer from a hub id, a local folder, a GGUF file or an
offline alias (ftspec.models decides which)."""

from __future__ import annotations

from typing import Any

from ftspec.models.resolve import classify, loadable, offline_hint


def _from_hub(base: str, load):
    """Run a from_pretrained call; a hub id that cannot be reached names the offline models."""
    try:
        return load()
    except OSError as exc:
        if classify(base).kind != "hub":
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SystemExit(f"ftspec: cannot load the model {base!r} ({first}). If no model hub is reachable from "
                         f"here, use one of the {offline_hint()}") from None


def load_tokenizer(base: str, revision: str | None = None):
    from transformers import AutoTokenizer

    where, extra = loadable(base)
    tokenizer = _from_hub(base, lambda: AutoTokenizer.from_pretrained(where, revision=revision, **extra))
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def load_model(base: str, *, dtype: str, revision: str | None = None, quantization: Any = None):
    import torch
    from transformers import AutoModelForCausalLM

    where, extra = loadable(base)
    kwargs: dict[str, Any] = {"dtype": getattr(torch, dtype), **extra}
    if quantization is not None:
        kwargs["quantization_config"] = quantization
    if revision:
        kwargs["revision"] = revision
    return _from_hub(base, lambda: AutoModelForCausalLM.from_pretrained(where, **kwargs))
