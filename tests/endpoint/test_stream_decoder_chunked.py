"""The stream decoder fed a chunked body as read (``dechunk``): the same events as de-chunking
first and decoding with the general path, at any chunking and any split of the reads; runs of
whole template chunks really taken by the chunked fast path; chunk framing as strict as the
state machine's."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

import pytest
from pawbench_builtins.endpoints.http1 import ChunkedBody, MalformedResponse
from pawbench_builtins.endpoints.stream_decoder import OpenAIStreamDecoder

from pawbench.api import ContentDelta, StreamDone, StreamEvent

from .test_stream_decoder import (
    DONE,
    FINISH,
    PRELUDE,
    STREAMS,
    USAGE,
    normalized,
    plain,
    plain_chunks,
    random_pieces,
    raw_text,
    redact,
    reference,
    text,
)

LAST = b"0\r\n\r\n"


def events_of(data: bytes) -> list[bytes]:
    """The SSE events of ``data`` (each up to and with its blank line), and any tail."""
    out, at = [], 0
    while (end := data.find(b"\n\n", at)) >= 0:
        out.append(data[at : end + 2])
        at = end + 2
    return [*out, data[at:]] if at < len(data) else out


def frame(payloads: Sequence[bytes], size: str = "{:x}", ext: bytes = b"") -> bytes:
    """``payloads`` as chunks, then the last chunk."""
    chunks = (size.format(len(p)).encode() + ext + b"\r\n" + p + b"\r\n" for p in payloads if p)
    return b"".join(chunks) + LAST


def per_event(data: bytes) -> bytes:
    """One chunk per event, as uvicorn frames vLLM's stream."""
    return frame(events_of(data))


def random_chunks(data: bytes, rng: random.Random) -> bytes:
    """Chunks of random sizes, cutting events anywhere; sizes in varied hex forms, some with
    extensions; sometimes trailers."""
    pieces = random_pieces(data, rng, rng.choice([3, 50, 400]))
    body = b"".join(
        rng.choice(["{:x}", "{:X}", "{:04x}"]).format(len(p)).encode()
        + (b";x=1" if rng.random() < 0.1 else b"")
        + b"\r\n"
        + p
        + b"\r\n"
        for p in pieces
    )
    return body + (b"0\r\nx-trailer: 1\r\n\r\n" if rng.random() < 0.3 else LAST)


def several_per_chunk(data: bytes, rng: random.Random) -> bytes:
    """Whole events, one to three to a chunk."""
    events, payloads = events_of(data), []
    while events:
        take = rng.randint(1, 3)
        payloads.append(b"".join(events[:take]))
        events = events[take:]
    return frame(payloads)


def decode_raw(pieces: Sequence[bytes]) -> tuple[list[list[StreamEvent]], OpenAIStreamDecoder]:
    chunks = ChunkedBody()
    decoder = OpenAIStreamDecoder(redact)
    decoder.dechunk(chunks)
    outputs = [decoder.feed(piece) for piece in pieces]
    assert chunks.complete, "the last chunk was fed"
    outputs.append(decoder.finish())
    assert not chunks.extra
    return outputs, decoder


def assert_equivalent(wire: bytes, data: bytes, pieces: Sequence[bytes]) -> OpenAIStreamDecoder:
    assert b"".join(pieces) == wire
    outputs, decoder = decode_raw(pieces)
    expected, count = reference([data], redact)
    for output in outputs:
        assert normalized(output) == output
    assert normalized([e for output in outputs for e in output]) == normalized(expected)
    assert decoder.events == count
    assert decoder.done == any(isinstance(e, StreamDone) for e in expected)
    return decoder


def reads(wire: bytes, rng: random.Random) -> list[bytes]:
    return random_pieces(wire, rng, rng.choice([1, 7, 64, 700, 5000, len(wire)]))


# --- equivalence ---


FRAMINGS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "per-event": lambda data, _rng: per_event(data),
    "random": random_chunks,
    "several": several_per_chunk,
}


@pytest.mark.parametrize("framing", sorted(FRAMINGS))
@pytest.mark.parametrize("name", sorted(STREAMS))
def test_same_events_at_any_chunking_and_reads(name: str, framing: str) -> None:
    rng = random.Random(f"{framing}-{name}")
    data = STREAMS[name]
    for _ in range(30):
        wire = FRAMINGS[framing](data, rng)
        assert_equivalent(wire, data, reads(wire, rng))


def test_crafted_texts_in_their_own_chunks_fuzzed() -> None:
    """Raw string bodies built from the characters that matter to JSON, SSE and chunk framing
    (CR, LF), each in its own chunk between plain ones: never accepted fast unless the general
    path reads them the same."""
    rng = random.Random(11)
    alphabet = [b"a", b'"', b"\\", b"n", b"u", b"0", b",", b"]", b"\n", b"\r", b"\r\n", b" "]
    alphabet += [b"\xc3", b"\xa9", b'"\n,"', b"\\u00e9", b"\x01", b"c6\r\n", b"\n\r\n"]
    for _ in range(300):
        bodies = [b"".join(rng.choices(alphabet, k=rng.randint(0, 5))) for _ in range(3)]
        data = PRELUDE + plain_chunks(3) + b"".join(map(raw_text, bodies)) + text(" end") + DONE
        wire = frame(events_of(data))
        assert_equivalent(wire, data, [wire])
        assert_equivalent(wire, data, reads(wire, rng))


# --- the chunked fast path is taken ---


def blast_like(n: int) -> bytes:
    return PRELUDE + plain_chunks(n) + FINISH + USAGE + DONE


def test_a_whole_stream_in_one_read_is_learned_then_taken_fast() -> None:
    data = blast_like(300)
    wire = per_event(data)
    decoder = assert_equivalent(wire, data, [wire])
    # learned from the first two events (the role chunk, "Hi"); the rest of the text in one run
    assert decoder.fast_chunks == decoder.fast_events == 300
    outputs, _ = decode_raw([wire])
    assert outputs[0][0] == ContentDelta("Hi" + "".join(plain(300)), chunks=301)


def test_reads_that_end_mid_chunk_resume_fast() -> None:
    data = blast_like(200)
    wire = per_event(data)
    rng = random.Random(3)
    for _ in range(20):
        cuts = sorted(rng.sample(range(1, len(wire)), 6))
        pieces = [wire[a:b] for a, b in zip([0, *cuts], [*cuts, len(wire)], strict=True)]
        decoder = assert_equivalent(wire, data, pieces)
        # each cut costs at most the chunk it falls in (and the one after it, when the cut
        # left the stream mid-event) to the state machine
        assert decoder.fast_chunks >= 200 - 2 * 6


@pytest.mark.parametrize("size", ["{:X}", "{:06x}", "{:x}"])
def test_size_forms_are_taken_fast(size: str) -> None:
    data = blast_like(50)
    events = events_of(data)
    wire = frame(events[:2]).removesuffix(LAST) + frame(events[2:], size)
    decoder = assert_equivalent(wire, data, [wire])
    assert decoder.fast_chunks == 50


def test_extensions_and_trailers_are_left_to_the_state_machine() -> None:
    data = blast_like(30)
    events = events_of(data)
    wire = frame(events[:2]).removesuffix(LAST) + frame(events[2:], ext=b";a=b")
    decoder = assert_equivalent(wire, data, [wire])
    assert (decoder.fast_chunks, decoder.fast_events) == (0, 30)  # de-chunked, then fast
    trailer = per_event(data).removesuffix(LAST) + b"0\r\nx-t: 1\r\n\r\n"
    assert assert_equivalent(trailer, data, [trailer]).fast_chunks == 30


# --- framing errors and the end of the body ---


def test_a_size_that_disagrees_with_its_payload_is_malformed() -> None:
    data = blast_like(30)
    wire = per_event(data)
    target = text(plain(30)[10])
    bad = len(target) - 3  # the chunk's data would end before its "}\n\n"
    wrong = wire.replace(b"%x\r\n%b" % (len(target), target), b"%x\r\n%b" % (bad, target), 1)
    assert wrong != wire
    for pieces in ([wrong], [wrong[:300], wrong[300:]]):
        chunks = ChunkedBody()
        decoder = OpenAIStreamDecoder()
        decoder.dechunk(chunks)
        with pytest.raises(MalformedResponse, match="longer than its size"):
            for piece in pieces:
                decoder.feed(piece)


def test_a_payload_not_followed_by_crlf_is_malformed() -> None:
    data = blast_like(30)
    wire = per_event(data)
    target = b"%x\r\n%b" % (len(text(plain(30)[10])), text(plain(30)[10]))
    wrong = wire.replace(b"\r\n" + target, b"\r" + target, 1)  # the LF after a payload lost
    assert len(wrong) == len(wire) - 1
    chunks = ChunkedBody()
    decoder = OpenAIStreamDecoder()
    decoder.dechunk(chunks)
    with pytest.raises(MalformedResponse, match="longer than its size"):
        decoder.feed(wrong)


def test_bytes_after_the_last_chunk_are_extra() -> None:
    data = blast_like(10)
    chunks = ChunkedBody()
    decoder = OpenAIStreamDecoder()
    decoder.dechunk(chunks)
    events = decoder.feed(per_event(data) + b"HTTP/1.1 200 OK\r\n")
    assert chunks.complete and chunks.extra
    assert normalized(events + decoder.finish()) == normalized(reference([data])[0])


def test_the_body_is_complete_only_after_the_last_chunk() -> None:
    data = blast_like(10)
    wire = per_event(data)
    chunks = ChunkedBody()
    decoder = OpenAIStreamDecoder()
    decoder.dechunk(chunks)
    decoder.feed(wire[:-3])
    assert not chunks.complete and decoder.done
    decoder.feed(wire[-3:])
    assert chunks.complete and not chunks.extra
