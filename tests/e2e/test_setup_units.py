"""The e2e set-up's pieces that need no server or network (these run in the normal suite)."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any, BinaryIO

import pytest

from e2e import install
from e2e.server import ServerConfig, alive, free_port
from e2e.tiny_gguf import Shape, write_tiny_gguf

_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?"}
_SCALARS.update({10: "<Q", 11: "<q", 12: "<d"})


def _value(f: BinaryIO, kind: int) -> Any:
    if kind == 8:
        (n,) = struct.unpack("<Q", f.read(8))
        return f.read(n).decode()
    if kind == 9:
        item, count = struct.unpack("<IQ", f.read(12))
        return [_value(f, item) for _ in range(count)]
    fmt = _SCALARS[kind]
    return struct.unpack(fmt, f.read(struct.calcsize(fmt)))[0]


def read_gguf_header(path: Path) -> tuple[int, int, dict[str, Any]]:
    """(version, tensor count, metadata) of a GGUF file, read independently of the writer."""
    with path.open("rb") as f:
        assert f.read(4) == b"GGUF"
        version, tensors, kvs = struct.unpack("<IQQ", f.read(20))
        meta = {}
        for _ in range(kvs):
            key = _value(f, 8)
            (kind,) = struct.unpack("<I", f.read(4))
            meta[key] = _value(f, kind)
    return version, tensors, meta


def test_tiny_gguf_is_a_llama_model_with_a_chat_template(tmp_path: Path) -> None:
    path = tmp_path / "tiny.gguf"
    vocab = write_tiny_gguf(path, Shape(layers=2))
    version, tensors, meta = read_gguf_header(path)
    assert version == 3
    assert tensors == 1 + 2 * 9 + 2  # embeddings, 9 per layer, output norm and output
    assert meta["general.architecture"] == "llama"
    tokens = meta["tokenizer.ggml.tokens"]
    assert len(tokens) == vocab == len(meta["tokenizer.ggml.scores"])
    assert tokens[meta["tokenizer.ggml.eos_token_id"]] == "<|im_end|>"
    assert "<|im_start|>" in meta["tokenizer.chat_template"]
    assert path.stat().st_size % 32 == 0  # tensor data padded to the alignment


def test_tiny_gguf_is_reproducible(tmp_path: Path) -> None:
    write_tiny_gguf(tmp_path / "a.gguf", seed=3)
    write_tiny_gguf(tmp_path / "b.gguf", seed=3)
    write_tiny_gguf(tmp_path / "c.gguf", seed=4)
    a, b, c = ((tmp_path / n).read_bytes() for n in ("a.gguf", "b.gguf", "c.gguf"))
    assert a == b != c


def test_a_verified_model_is_checked_again_once_it_changes(tmp_path: Path) -> None:
    model = tmp_path / "m.gguf"
    model.write_bytes(b"weights")
    digest = install.sha256_of(model)
    assert not install._verified(model, digest)  # never checked
    install._mark_verified(model, digest)
    assert install._verified(model, digest)
    assert not install._verified(model, "0" * 64)  # another pin
    model.write_bytes(b"weights, changed")
    assert not install._verified(model, digest)


def test_home_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(install.HOME_ENV, str(tmp_path / "cache"))
    assert install.home() == tmp_path / "cache"
    monkeypatch.delenv(install.HOME_ENV)
    assert install.home() == Path.home() / ".cache/pawbench-e2e"
    assert install.read_status(tmp_path) == {}


def test_server_command_line(tmp_path: Path) -> None:
    cmd = ServerConfig(model="qwen", parallel=2, ctx=4096, threads=1).command(tmp_path, 8123, True)
    assert cmd[0] == str(install.venv_python(tmp_path))
    assert cmd[cmd.index("--model") + 1] == str(
        tmp_path / "models" / install.MODELS["qwen"].filename
    )
    assert cmd[cmd.index("--alias") + 1] == "qwen2.5-coder-0.5b"
    template = Path(cmd[cmd.index("--chat-template-file") + 1])
    assert template.name == "qwen-json-tools.jinja" and template.exists()
    assert cmd[-1] == "--exit-with-parent"
    plain = ServerConfig(model="smollm2").command(tmp_path, 8123, False)
    assert "--chat-template-file" not in plain and "--exit-with-parent" not in plain


def test_free_port_and_alive() -> None:
    assert 0 < free_port() < 65536
    assert alive(1) or not Path("/proc/1").exists()
    assert not alive(2**22 + 12345)  # above Linux's pid_max
