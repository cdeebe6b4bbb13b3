"""The lint path must never import the heavy ML stack: a pre-commit hook that
takes seconds gets removed. An import hook records any attempt, so the test
holds whether or not those libraries are installed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ["torch", "transformers", "trl", "peft", "datasets", "bitsandbytes", "accelerate"]

PROBE = """
import json, sys
HEAVY = set(json.loads(sys.argv[1]))
attempts = []

class Recorder:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in HEAVY:
            attempts.append(name)
        return None

sys.meta_path.insert(0, Recorder())
from ftspec.cli import main
codes = [main(["lint", *sys.argv[2:]]) for _ in range(1)]
codes.append(main(["explain", "AD001"]))
codes.append(main(["schema"]))
print("RESULT " + json.dumps({"attempts": attempts, "codes": codes,
      "loaded": sorted(m for m in sys.modules if m.split(".")[0] in HEAVY)}))
"""


def test_lint_explain_schema_import_no_heavy_library(tmp_path):
    broken = tmp_path / "broken.ftspec"
    broken.write_text("ftspec 1\nadapter lora {\n")
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(HEAVY), str(ROOT / "specs"), str(broken),
         str(ROOT / "tests" / "fixtures" / "broken")],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT "))
    result = json.loads(line[len("RESULT "):])
    assert result["codes"] == [1, 0, 0]  # the broken files make lint exit 1
    assert result["attempts"] == []
    assert result["loaded"] == []
