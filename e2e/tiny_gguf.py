"""Write a tiny random-weight Llama GGUF that llama.cpp loads and serves, with the stdlib only.

The model is nonsense on purpose: two layers of seeded random weights over a small made-up
SentencePiece-style vocabulary (control tokens, 256 byte-fallback tokens, printable ASCII, some
code words), with a ChatML chat template. It streams gibberish at thousands of tokens per second
on a laptop CPU, reports usage and exercises every code path of the server: what the
high-concurrency e2e tests need. The same arguments always give the same bytes.

GGUF (version 3) layout written here: header, key/value metadata, tensor descriptors, then the
tensor data, each tensor aligned to 32 bytes. Tensor dimensions are listed fastest-varying first.

    python -m e2e.tiny_gguf OUT.gguf [--layers 2] [--embd 64] [--ff 192] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import struct
import sys
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

ALIGN = 32
RECIPE = 1  # bump when the output changes, so that cached copies are rebuilt
SPACE = "\u2581"  # SentencePiece's word-boundary marker

# GGUF value types
_U32, _I32, _F32, _BOOL, _STR, _ARR = 4, 5, 6, 7, 8, 9
GGML_F32 = 0  # ggml tensor type
# llama.cpp token types
_NORMAL, _UNKNOWN, _CONTROL, _BYTE = 1, 2, 3, 6

CHAT_TEMPLATE = (
    "{%- for m in messages -%}"
    "{{- '<|im_start|>' ~ m['role'] ~ '\\n' ~ (m['content'] or '') ~ '<|im_end|>\\n' -}}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- endif -%}"
)

CODE_WORDS = (  # split in build_vocab
    "def return import from class self None True False if else elif for while in not and or "
    "with as try except raise pass yield lambda print len range str int list dict set open "
    "file path test tests assert value result data name args main app api user item items "
    "error status done read write run build check todo fix add remove update create delete "
    "the a an to of is it this that we you should will can must use new old next last first "
    "function module package config server client request response token tokens model agent"
)


@dataclass
class Vocab:
    """Tokens with their scores and types, in id order."""

    tokens: list[str] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)
    types: list[int] = field(default_factory=list)

    def add(self, token: str, score: float, kind: int) -> None:
        if token not in self.tokens:
            self.tokens.append(token)
            self.scores.append(score)
            self.types.append(kind)


def build_vocab() -> Vocab:
    """ids 0-4: <unk> <s> </s> <|im_start|> <|im_end|>; then bytes, words, single characters."""
    vocab = Vocab()
    vocab.add("<unk>", 0.0, _UNKNOWN)
    for special in ("<s>", "</s>", "<|im_start|>", "<|im_end|>"):
        vocab.add(special, 0.0, _CONTROL)
    for byte in range(256):
        vocab.add(f"<0x{byte:02X}>", 0.0, _BYTE)
    for rank, word in enumerate(CODE_WORDS.split()):
        vocab.add(SPACE + word, -2.0 - rank / 1000, _NORMAL)
    for code in range(33, 127):
        vocab.add(chr(code), -6.0, _NORMAL)
    vocab.add(SPACE, -6.0, _NORMAL)
    vocab.add("\n", -6.0, _NORMAL)
    return vocab


class GGUFWriter:
    """Minimal little-endian GGUF v3 writer: metadata and F32 tensors."""

    def __init__(self) -> None:
        self.kv: list[bytes] = []
        self.tensors: list[tuple[str, tuple[int, ...], bytes]] = []

    @staticmethod
    def _str(text: str) -> bytes:
        raw = text.encode()
        return struct.pack("<Q", len(raw)) + raw

    def _key(self, key: str, kind: int, payload: bytes) -> None:
        self.kv.append(self._str(key) + struct.pack("<I", kind) + payload)

    def u32(self, key: str, value: int) -> None:
        self._key(key, _U32, struct.pack("<I", value))

    def f32(self, key: str, value: float) -> None:
        self._key(key, _F32, struct.pack("<f", value))

    def boolean(self, key: str, value: bool) -> None:
        self._key(key, _BOOL, struct.pack("<?", value))

    def string(self, key: str, value: str) -> None:
        self._key(key, _STR, self._str(value))

    def strings(self, key: str, values: list[str]) -> None:
        body = b"".join(self._str(v) for v in values)
        self._key(key, _ARR, struct.pack("<IQ", _STR, len(values)) + body)

    def f32s(self, key: str, values: list[float]) -> None:
        self._key(key, _ARR, struct.pack("<IQ", _F32, len(values)) + _f32_bytes(values))

    def i32s(self, key: str, values: list[int]) -> None:
        body = struct.pack(f"<{len(values)}i", *values)
        self._key(key, _ARR, struct.pack("<IQ", _I32, len(values)) + body)

    def tensor(self, name: str, dims: tuple[int, ...], values: list[float]) -> None:
        """An F32 tensor; ``dims`` fastest-varying first ([rows][cols] is (cols, rows))."""
        self.tensors.append((name, dims, _f32_bytes(values)))

    def write(self, out: BinaryIO) -> None:
        head = b"GGUF" + struct.pack("<IQQ", 3, len(self.tensors), len(self.kv))
        infos, offset = [], 0
        for name, dims, data in self.tensors:
            info = self._str(name) + struct.pack(f"<I{len(dims)}Q", len(dims), *dims)
            infos.append(info + struct.pack("<IQ", GGML_F32, offset))
            offset += _padded(len(data))
        meta = head + b"".join(self.kv) + b"".join(infos)
        out.write(meta + bytes(_padded(len(meta)) - len(meta)))
        for _, _, data in self.tensors:
            out.write(data + bytes(_padded(len(data)) - len(data)))


def _padded(size: int) -> int:
    return (size + ALIGN - 1) // ALIGN * ALIGN


def _f32_bytes(values: list[float]) -> bytes:
    data = array("f", values)
    if sys.byteorder != "little":
        data.byteswap()
    return data.tobytes()


@dataclass(frozen=True)
class Shape:
    """Model dimensions."""

    layers: int = 2
    embd: int = 64
    heads: int = 4
    ff: int = 192
    ctx: int = 32768


def _metadata(w: GGUFWriter, shape: Shape, vocab: Vocab) -> None:
    w.string("general.architecture", "llama")
    w.string("general.name", "pawbench-tiny-random")
    w.u32("general.alignment", ALIGN)
    w.u32("general.file_type", 0)
    w.u32("llama.context_length", shape.ctx)
    w.u32("llama.embedding_length", shape.embd)
    w.u32("llama.block_count", shape.layers)
    w.u32("llama.feed_forward_length", shape.ff)
    w.u32("llama.attention.head_count", shape.heads)
    w.u32("llama.attention.head_count_kv", shape.heads)
    w.u32("llama.rope.dimension_count", shape.embd // shape.heads)
    w.u32("llama.vocab_size", len(vocab.tokens))
    w.f32("llama.attention.layer_norm_rms_epsilon", 1e-5)
    w.f32("llama.rope.freq_base", 10000.0)
    w.string("tokenizer.ggml.model", "llama")
    w.string("tokenizer.ggml.pre", "default")
    w.strings("tokenizer.ggml.tokens", vocab.tokens)
    w.f32s("tokenizer.ggml.scores", vocab.scores)
    w.i32s("tokenizer.ggml.token_type", vocab.types)
    w.u32("tokenizer.ggml.unknown_token_id", 0)
    w.u32("tokenizer.ggml.bos_token_id", 1)
    w.u32("tokenizer.ggml.eos_token_id", vocab.tokens.index("<|im_end|>"))
    w.boolean("tokenizer.ggml.add_bos_token", False)
    w.boolean("tokenizer.ggml.add_space_prefix", False)
    w.string("tokenizer.chat_template", CHAT_TEMPLATE)


def _weights(w: GGUFWriter, shape: Shape, vocab: Vocab, rng: random.Random) -> None:
    e, f, n = shape.embd, shape.ff, len(vocab.tokens)
    # Rows of control and byte tokens get zero logits, far below the words': the output stays
    # printable and rarely ends early (the end-of-turn token is a control token).
    silent = sum(1 for t in vocab.types if t in (_UNKNOWN, _CONTROL, _BYTE))

    def matrix(name: str, dims: tuple[int, int], scale: float, zero_rows: int = 0) -> None:
        zeros, count = zero_rows * dims[0], dims[0] * dims[1] - zero_rows * dims[0]
        w.tensor(name, dims, [0.0] * zeros + [rng.gauss(0.0, scale) for _ in range(count)])

    matrix("token_embd.weight", (e, n), 1.0)
    for i in range(shape.layers):
        blk = f"blk.{i}."
        w.tensor(blk + "attn_norm.weight", (e,), [1.0] * e)
        for part in ("attn_q", "attn_k", "attn_v", "attn_output"):
            matrix(blk + part + ".weight", (e, e), 0.02)
        w.tensor(blk + "ffn_norm.weight", (e,), [1.0] * e)
        matrix(blk + "ffn_gate.weight", (e, f), 0.02)
        matrix(blk + "ffn_up.weight", (e, f), 0.02)
        matrix(blk + "ffn_down.weight", (f, e), 0.02)
    w.tensor("output_norm.weight", (e,), [1.0] * e)
    matrix("output.weight", (e, n), 1.0, zero_rows=silent)


def write_tiny_gguf(path: Path, shape: Shape = Shape(), seed: int = 7) -> int:
    """Write the model to ``path`` (atomically); returns its vocabulary size."""
    vocab = build_vocab()
    writer = GGUFWriter()
    _metadata(writer, shape, vocab)
    _weights(writer, shape, vocab, random.Random(seed))
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as out:
        writer.write(out)
    tmp.replace(path)
    return len(vocab.tokens)


def main(argv: list[str] | None = None) -> int:
    """Command line: write the tiny model."""
    parser = argparse.ArgumentParser(description="Write the tiny random-weight GGUF.")
    parser.add_argument("out", type=Path)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--embd", type=int, default=64)
    parser.add_argument("--ff", type=int, default=192)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    shape = Shape(layers=args.layers, embd=args.embd, ff=args.ff)
    size = write_tiny_gguf(args.out, shape, args.seed)
    print(f"wrote {args.out}: {size} tokens, {shape.layers} layers, embd {shape.embd}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
