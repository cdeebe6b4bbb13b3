"""The progress line `ftspec run` draws from the training process's progress records."""

from __future__ import annotations

import json
import sys
import time
from typing import TextIO

from ftspec.runtime.protocol import PROGRESS_PREFIX


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}" if seconds >= 3600 \
        else f"{seconds // 60:02d}:{seconds % 60:02d}"


class ProgressView:
    """A bar on a terminal, or a line every 10% (and every 30 s at most) in a log."""

    def __init__(self, out: TextIO = sys.stderr) -> None:
        self.out = out
        self.tty = out.isatty()
        self.last_decile = -1
        self.last_time = 0.0
        self.train_loss: float | None = None
        self.eval_loss: float | None = None
        self.drawn = False
        self.label = "train"

    def handle(self, line: str) -> bool:
        """Consume a progress record; False if the line is not one."""
        if not line.startswith(PROGRESS_PREFIX):
            return False
        try:
            rec = json.loads(line[len(PROGRESS_PREFIX):])
        except json.JSONDecodeError:
            return False
        if not isinstance(rec, dict):
            return False
        self.train_loss = rec.get("loss") if rec.get("loss") is not None else self.train_loss
        self.eval_loss = rec.get("eval_loss") if rec.get("eval_loss") is not None else self.eval_loss
        step, total = rec.get("step", 0), max(rec.get("max_steps") or 1, 1)
        label = rec.get("label") if isinstance(rec.get("label"), str) else "train"
        if label != self.label:  # a new phase (eval base, eval fine_tuned, ...) starts its own bar
            self.close()
            self.label, self.last_decile, self.drawn = label, -1, False
        text = self.render(step, total, rec.get("eta_s"))
        if self.tty:
            self.out.write("\r" + text)
            self.drawn = True
        else:
            decile = step * 10 // total
            if decile != self.last_decile or time.time() - self.last_time > 30:
                self.out.write(text + "\n")
                self.last_decile, self.last_time = decile, time.time()
        self.out.flush()
        return True

    def render(self, step: int, total: int, eta: float | None) -> str:
        width = 24
        filled = min(width, step * width // total)
        bar = "#" * filled + "." * (width - filled)
        if self.label != "train":
            return f"{self.label} [{bar}] {step}/{total}  eta {_duration(eta)}"
        loss = f"loss {self.train_loss:.4f}" if self.train_loss is not None else "loss -"
        val = f"  val {self.eval_loss:.4f}" if self.eval_loss is not None else ""
        return f"train [{bar}] step {step}/{total}  {loss}{val}  eta {_duration(eta)}"

    def close(self) -> None:
        if self.tty and self.drawn:
            self.out.write("\n")
            self.out.flush()
