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

    hooks = load_manifest(str(MANIFEST))
    assert [h["id"] for h in hooks] == ["ftspec-lint", "ftspec-fmt"]
    for hook in hooks:
        assert hook["language"] == "python"
        assert hook["files"] == r"\.ftspec$"
        assert hook["entry"].split()[0] == "ftspec"


def _hook(hook_id: str) -> dict:
    from pre_commit.clientlib import load_manifest

    return next(h for h in load_manifest(str(MANIFEST)) if h["id"] == hook_id)


def _run_hook(files: list[Path], cwd: Path, hook_id: str = "ftspec-lint") -> subprocess.CompletedProcess:
    hook = _hook(hook_id)
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


def test_fmt_hook_rewrites_the_file_then_leaves_it_alone(tmp_path):
    # pre-commit fails a fixer hook when it modified files (as with black), then passes next time.
    spec = tmp_path / "router.ftspec"
    clean = (ROOT / "specs" / "quickstart.ftspec").read_text(encoding="utf-8")
    spec.write_text(clean.replace("learning_rate = 2e-4", "learning_rate=2e-4"), encoding="utf-8")
    first = _run_hook([spec], tmp_path, "ftspec-fmt")
    assert first.returncode == 0 and spec.read_text(encoding="utf-8") == clean
    mtime = spec.stat().st_mtime_ns
    assert _run_hook([spec], tmp_path, "ftspec-fmt").returncode == 0 and spec.stat().st_mtime_ns == mtime
