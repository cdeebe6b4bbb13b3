"""`pip install .` (not only editable) ships the grammar, schemas and templates.

Builds a real wheel from a copy of the project, installs it into a folder of
its own, and runs `ftspec lint` from there, away from the source tree.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ["pyproject.toml", "README.md", "ftspec", "schemas", "templates"]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("src")
    for name in SHIPPED:
        item = ROOT / name
        if item.is_dir():
            shutil.copytree(item, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(item, src / name)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(src)],
        check=True, capture_output=True, text=True, timeout=300,
    )
    (found,) = out.glob("ftspec-*.whl")
    return found


def test_wheel_contains_data_files(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "ftspec/syntax/ftspec.lark" in names
    assert "ftspec/evaluate/review_page.html" in names
    assert "ftspec/augment/queue_page.html" in names
    for schema in (ROOT / "schemas").glob("*.json"):
        assert f"ftspec/schemas/{schema.name}" in names
    for template in (ROOT / "templates").rglob("*.j2"):
        assert f"ftspec/templates/{template.relative_to(ROOT / 'templates').as_posix()}" in names
    assert any(n.endswith("entry_points.txt") for n in names)


def test_installed_wheel_lints_away_from_the_source_tree(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True, capture_output=True, text=True, timeout=300,
    )
    spec = tmp_path / "s.ftspec"
    spec.write_text((ROOT / "specs" / "examples" / "classification.ftspec").read_text(encoding="utf-8"))
    env = {**os.environ, "PYTHONPATH": str(target)}
    code = ("import ftspec, sys; from ftspec.cli import main; "
            "print('FROM', ftspec.__file__); sys.exit(main(['lint', sys.argv[1]]))")
    proc = subprocess.run([sys.executable, "-c", code, str(spec)], capture_output=True, text=True,
                          cwd=tmp_path, env=env, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"FROM {target}" in proc.stdout
    schema = subprocess.run([sys.executable, "-c", "from ftspec.cli import main; main(['schema'])"],
                            capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)
    assert schema.returncode == 0 and '"title": "ftspec spec (resolved)"' in schema.stdout
