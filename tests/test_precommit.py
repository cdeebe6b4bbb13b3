"""The pre-commit hook definition is valid for pre-commit, and running its entry
the way pre-commit does (entry + the matching file names) lints them."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / ".pre-commit-hooks.yaml"


def test_manifest_is_valid_for_pre_commit():
    from pre_commit.clientlib import load_manifest

    (hook,) = load_manifest(str(MANIFEST))
    assert hook["id"] == "ftspec-lint"
    assert hook["language"] == "python"
    assert hook["files"] == r"\.ftspec$"
    assert hook["entry"].split()[0] == "ftspec"


def _run_hook(files: list[Path], cwd: Path) -> subprocess.CompletedProcess:
    from pre_commit.clientlib import load_manifest

    (hook,) = load_manifest(str(MANIFEST))
    selected = [str(f) for f in files if re.search(hook["files"], str(f))]
    argv = shlex.split(hook["entry"]) + hook["args"] + selected
    exe = shutil.which(argv[0], path=str(Path(sys.executable).parent))
    assert exe, "the `ftspec` console script is not installed next to this Python"
    return subprocess.run([exe, *argv[1:]], capture_output=True, text=True, cwd=cwd, timeout=60)


def test_hook_passes_clean_specs_and_ignores_other_files(tmp_path):
    good = tmp_path / "router.ftspec"
    good.write_text((ROOT / "specs" / "examples" / "classification.ftspec").read_text(encoding="utf-8"))
    other = tmp_path / "notes.md"
    other.write_text("ftspec 1\n}")  # would fail if it were linted
    proc = _run_hook([good, other], tmp_path)
    assert proc.returncode == 0, proc.stdout
    assert "1 file" in proc.stdout


def test_hook_fails_a_broken_spec_with_a_located_message(tmp_path):
    bad = tmp_path / "bad.ftspec"
    bad.write_text('ftspec 1\ntask "t" {\n  kind = classification\n')
    proc = _run_hook([bad], tmp_path)
    assert proc.returncode == 1
    assert re.search(r"bad\.ftspec:4:1: SY002 missing `}` closing block `task` opened at 2:1", proc.stdout)
