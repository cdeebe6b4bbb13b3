"""Device and precision, decided rather than left to library defaults.

Measured on a 2-core CPU (DESIGN.md section 6): TRL's default SFTConfig (bf16 on,
gradient checkpointing on) ran a LoRA step about 15x slower than fp32 without
checkpointing. So: bf16 only on a GPU that supports it, fp16 on other GPUs,
fp32 on the CPU.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Precision:
    bf16: bool
    fp16: bool
    use_cpu: bool
    dtype: str  # torch dtype name for loading the model
    reason: str


def decide(requested: str) -> Precision:
    import torch

    gpu = torch.cuda.is_available()
    if requested == "auto":
        if gpu and torch.cuda.is_bf16_supported():
            return Precision(True, False, False, "bfloat16", "auto: GPU with bf16 support")
        if gpu:
            return Precision(False, True, False, "float16", "auto: GPU without bf16 support")
        return Precision(False, False, True, "float32", "auto: no GPU, fp32 on the CPU")
    if requested == "bf16":
        return Precision(True, False, not gpu, "bfloat16", "spec: bf16")
    if requested == "fp16":
        if not gpu:
            raise SystemExit("ftspec: precision = fp16 needs a GPU; use `precision = auto` or `fp32` on the CPU")
        return Precision(False, True, False, "float16", "spec: fp16")
    return Precision(False, False, not gpu, "float32", "spec: fp32")
