"""The push stream decoder: the same events as SSE framing + ``decode_chunk`` per event, at any
split of the body, and the template fast path really taken for plain streams."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

import orjson
import pytest
from pawbench_builtins.endpoints.decode import decode_chunk
from pawbench_builtins.endpoints.sse import SSEParser
from pawbench_builtins.endpoints.stream_decoder import OpenAIStreamDecoder

from pawbench.api import (
    ContentDelta,
    FinishReason,
    ReasoningDelta,
    StreamDone,
    StreamErrorEvent,
    StreamEvent,
    ToolCallDelta,
    UsageInfo,
)
from pawbench.models.wire import StreamDecoder

SECRET = "sk-top-secret-123"


def chunk(delta: dict[str, Any] | None = None, finish: str | None = None, **top: Any) -> bytes:
    """One vLLM-shaped ``chat.completion.chunk`` event, framed."""
    obj: dict[str, Any] = {
        "id": "chatcmpl-7",
        "object": "chat.completion.chunk",
        "created": 1700000000,
        "model": top.pop("model", "m"),
    }
    if delta is not None:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        obj["choices"] = [choice]
    obj.update(top)
    return b"data: " + orjson.dumps(obj) + b"\n\n"


def text(value: str) -> bytes:
    return chunk({"content": value})


def think(value: str) -> bytes:
    return chunk({"reasoning_content": value})


PRELUDE = chunk({"role": "assistant", "content": ""}) + text("Hi")
WORDS = [" the", " quick", " brown", " fox", " jumps", " héllo", " 日本語", " 🙂", ",", " x"]
USAGE = chunk(
    usage={
        "prompt_tokens": 12,
        "completion_tokens": 30,
        "prompt_tokens_details": {"cached_tokens": 4},
    },
    choices=[],
)
FINISH = chunk({}, "stop")
DONE = b"data: [DONE]\n\n"
P, _, Q = text("\x00").partition(b"\\u0000")  # the raw frame around a content string


def raw_text(body: bytes) -> bytes:
    """A content chunk whose string body is ``body`` verbatim (possibly not valid JSON)."""
    return P + body + Q


def plain(n: int, start: int = 0) -> list[str]:
    return [WORDS[(start + i) % len(WORDS)] for i in range(n)]


def plain_chunks(n: int, start: int = 0) -> bytes:
    return b"".join(text(word) for word in plain(n, start))


def redact(message: str) -> str:
    return message.replace(SECRET, "***")


# --- reference: SSEParser framing + decode_chunk per event, over the same pieces ---


def reference(
    pieces: Sequence[bytes], redactor: Callable[[str], str] | None = None
) -> tuple[list[StreamEvent], int]:
    """The general path's events (unmerged) and its count of events with data."""
    parser = SSEParser()
    payloads = [payload for piece in pieces for payload in parser.feed(piece)]
    payloads += parser.finish()
    events = [event for payload in payloads for event in decode_chunk(payload)]
    if redactor is not None:
        events = [
            StreamErrorEvent(redactor(e.message)) if isinstance(e, StreamErrorEvent) else e
            for e in events
        ]
    return events, len(payloads)


def normalized(events: Sequence[StreamEvent]) -> list[StreamEvent]:
    """Consecutive text deltas of one kind merged: text joined, chunks summed."""
    out: list[StreamEvent] = []
    for event in events:
        last = out[-1] if out else None
        if isinstance(event, ContentDelta) and isinstance(last, ContentDelta):
            out[-1] = ContentDelta(last.text + event.text, last.chunks + event.chunks)
        elif isinstance(event, ReasoningDelta) and isinstance(last, ReasoningDelta):
            out[-1] = ReasoningDelta(last.text + event.text, last.chunks + event.chunks)
        else:
            out.append(event)
    return out


def decode_pieces(
    pieces: Sequence[bytes], redactor: Callable[[str], str] | None = None
) -> tuple[list[list[StreamEvent]], OpenAIStreamDecoder]:
    """What each ``feed`` (then ``finish``) returned, and the decoder."""
    decoder = OpenAIStreamDecoder(redactor)
    outputs = [decoder.feed(piece) for piece in pieces]
    outputs.append(decoder.finish())
    return outputs, decoder


def assert_equivalent(
    pieces: Sequence[bytes], redactor: Callable[[str], str] | None = None
) -> OpenAIStreamDecoder:
    outputs, decoder = decode_pieces(pieces, redactor)
    expected, count = reference(pieces, redactor)
    for output in outputs:  # merged within one feed: never two text deltas of a kind in a row
        assert normalized(output) == output
    assert normalized([e for output in outputs for e in output]) == normalized(expected)
    assert decoder.events == count
    assert decoder.started == (count > 0)
    assert decoder.done == any(isinstance(e, StreamDone) for e in expected)
    return decoder


# --- streams ---

PLAIN_STREAM = PRELUDE + plain_chunks(60) + FINISH + USAGE + DONE

MIXED_STREAM = (
    b"\xef\xbb\xbf: ping\n\n"
    + chunk({"role": "assistant", "content": None})
    + b"".join(think(f" step {i} é") for i in range(12))
    + chunk({"reasoning": "other key"})
    + think('quoted "thought"\n')
    + plain_chunks(15)
    + text('say "hi"\\there\n')
    + b": ping\n\n"
    + plain_chunks(9, 3)
    + text("crlf").replace(b"\n\n", b"\r\n\r\n")
    + b"data:"
    + text("no space")[len(b"data: ") :]
    + plain_chunks(5)
    + chunk({"tool_calls": [{"index": 0, "id": "call_1", "function": {"name": "ls"}}]})
    + chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"path": "."}'}}]})
    + plain_chunks(7, 2)
    + b'event: error\ndata: {"message": "upstream failed for '
    + SECRET.encode()
    + b'"}\n\n'
    + b"data: {not json\n\n"
    + chunk({"content": "both", "reasoning_content": "r"})
    + plain_chunks(4)
    + FINISH
    + USAGE
    + DONE
)

CRAFTED_BODIES = [
    b'a","x":"b',  # breaks out of the string: valid JSON, another key
    b'a","b',  # breaks out of the string: one more element of the array check
    b"a\\",  # a lone backslash escapes the closing quote
    b"a\\q",  # an invalid escape
    b"a\x01b",  # a raw control character
    b"tab\there",
    b"cr\rhere",
    b"\xe6\x97",  # truncated UTF-8
    b"",  # empty text: no event
    b'"',
    b'x"\n,"y',  # would split into two elements of the array check
    b"\\u00e9\\n",  # valid escapes
    b"\\ud800",  # a lone surrogate escape
]

CRAFTED_STREAM = (
    PRELUDE
    + b"".join(plain_chunks(5, i) + raw_text(body) for i, body in enumerate(CRAFTED_BODIES))
    + plain_chunks(5)
    + DONE
)

REASONING_STREAM = (
    chunk({"role": "assistant"})
    + b"".join(chunk({"reasoning": w, "content": None}) for w in plain(40))
    + plain_chunks(40)
    + FINISH
    + DONE
)

STREAMS = {
    "plain": PLAIN_STREAM,
    "mixed": MIXED_STREAM,
    "crafted": CRAFTED_STREAM,
    "reasoning": REASONING_STREAM,
    "unterminated": PLAIN_STREAM[: -len(DONE)] + b"data: [DONE]",
    "crlf": PLAIN_STREAM.replace(b"\n", b"\r\n"),
}


def random_pieces(data: bytes, rng: random.Random, largest: int) -> list[bytes]:
    pieces = []
    at = 0
    while at < len(data):
        size = rng.randint(1, largest)
        pieces.append(data[at : at + size])
        at += size
    return pieces


def event_pieces(data: bytes, rng: random.Random) -> list[bytes]:
    """Pieces of a few whole events each, some cut in the middle of an event: what a busy
    client reads off the socket."""
    ends = [i + 2 for i in range(len(data) - 1) if data[i : i + 2] == b"\n\n"]
    cuts = sorted({e for e in ends if rng.random() < 0.15} | {rng.randrange(len(data))})
    return [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True) if a < b]


# --- equivalence ---


@pytest.mark.parametrize("name", sorted(STREAMS))
@pytest.mark.parametrize("largest", [1, 5, 40, 400, 5000])
def test_same_events_as_the_general_path_at_random_splits(name: str, largest: int) -> None:
    rng = random.Random(f"{name}-{largest}")
    for _ in range(4 if largest == 1 else 12):
        assert_equivalent(random_pieces(STREAMS[name], rng, largest), redact)


@pytest.mark.parametrize("name", sorted(STREAMS))
def test_same_events_as_the_general_path_at_event_splits(name: str) -> None:
    rng = random.Random(name)
    for _ in range(30):
        assert_equivalent(event_pieces(STREAMS[name], rng), redact)


def test_whole_stream_in_one_piece() -> None:
    for data in STREAMS.values():
        assert_equivalent([data])
        assert_equivalent([data], redact)


def test_crafted_texts_fuzzed_against_the_general_path() -> None:
    """Raw string bodies built from the characters that matter to JSON and SSE, decoded in
    runs of template chunks: the fast path must never accept one the general path reads
    differently."""
    rng = random.Random(7)
    alphabet = [b"a", b'"', b"\\", b"n", b"u", b"0", b"d", b"8", b",", b":", b"]", b"}", b"\n"]
    alphabet += [b"\r", b" ", b"\t", b"\xc3", b"\xa9", b"\xe6\x97\xa5", b'"\n,"', b"\\u00e9"]
    alphabet += [b'","', b'\\"']
    decoder = OpenAIStreamDecoder()
    decoder.feed(PRELUDE)
    for _ in range(400):
        bodies = [b"".join(rng.choices(alphabet, k=rng.randint(0, 6))) for _ in range(3)]
        data = plain_chunks(3) + b"".join(raw_text(body) for body in bodies) + text(" end")
        fast_before = decoder.fast_events
        got = decoder.feed(data)
        expected, count = reference([data])
        assert normalized(got) == normalized(expected), bodies
        if decoder.fast_events > fast_before:  # accepted: every event was a plain text chunk
            assert decoder.fast_events - fast_before == count == 7
            assert [type(e) for e in got] == [ContentDelta]


# --- the fast path ---


def learned() -> OpenAIStreamDecoder:
    decoder = OpenAIStreamDecoder()
    assert decoder.feed(PRELUDE) == [ContentDelta("Hi")]
    assert decoder.fast_events == 0
    return decoder


def test_fast_path_merges_a_read_of_plain_chunks_into_one_delta() -> None:
    decoder = learned()
    assert decoder.feed(plain_chunks(20)) == [ContentDelta("".join(plain(20)), chunks=20)]
    assert decoder.fast_events == 20
    assert decoder.events == 22
    assert decoder.feed(text("one")) == [ContentDelta("one")]
    assert decoder.fast_events == 21


def test_a_whole_stream_in_its_first_read_is_learned_then_taken_fast() -> None:
    # a server that writes the whole answer at once: the template is learned from the first
    # events of the read and the rest of that same read goes by the fast path
    decoder = OpenAIStreamDecoder()
    events = decoder.feed(PRELUDE + plain_chunks(40) + FINISH + USAGE + DONE)
    assert "".join(e.text for e in events if isinstance(e, ContentDelta)) == "Hi" + "".join(
        plain(40)
    )
    assert events[-3:] == [
        FinishReason("stop"),
        UsageInfo(prompt_tokens=12, completion_tokens=30, cached_tokens=4),
        StreamDone(),
    ]
    assert decoder.events == 2 + 40 + 3
    assert decoder.fast_events == 40  # the first two events (role, "Hi") taught the template


def test_fast_path_before_a_finish_usage_done_tail() -> None:
    decoder = learned()
    events = decoder.feed(plain_chunks(20) + FINISH + USAGE + DONE)
    assert events == [
        ContentDelta("".join(plain(20)), chunks=20),
        FinishReason("stop"),
        UsageInfo(prompt_tokens=12, completion_tokens=30, cached_tokens=4),
        StreamDone(),
    ]
    assert decoder.fast_events == 20
    assert (decoder.events, decoder.done) == (2 + 23, True)
    assert decoder.finish() == []


def test_fast_path_with_events_and_characters_split_across_reads() -> None:
    data = plain_chunks(20) + text("日本") + plain_chunks(5)
    cut = len(plain_chunks(20)) + len(P) + 4  # inside the second character of 日本
    decoder = learned()
    assert decoder.feed(data[:cut]) == [ContentDelta("".join(plain(20)), chunks=20)]
    assert decoder.feed(data[cut:]) == [ContentDelta("日本" + "".join(plain(5)), chunks=6)]
    assert decoder.fast_events == 26
    assert decoder.finish() == []


def test_fast_path_resumes_after_a_read_that_ended_mid_event() -> None:
    decoder = learned()
    first = plain_chunks(3) + b"data: [DONE]\n"
    assert decoder.feed(first) == [ContentDelta("".join(plain(3)), chunks=3)]
    assert decoder.feed(b"\n" + plain_chunks(20)) == [
        StreamDone(),
        ContentDelta("".join(plain(20)), chunks=20),
    ]
    assert decoder.fast_events == 23


def test_fast_path_resumes_after_a_general_read_that_ended_mid_line() -> None:
    decoder = learned()
    second = text("ab")
    first = plain_chunks(3) + raw_text(b"a\\q") + second[:9]
    malformed = decode_chunk(raw_text(b"a\\q")[len(b"data: ") : -2])
    assert [type(e) for e in malformed] == [StreamErrorEvent]
    assert decoder.feed(first) == [ContentDelta("".join(plain(3)), chunks=3), *malformed]
    assert decoder.fast_events == 0
    got = decoder.feed(second[9:] + plain_chunks(20))  # the first event completes the line
    assert got == [ContentDelta("ab" + "".join(plain(20)), chunks=21)]
    assert decoder.fast_events == 20


def test_events_ended_by_cr_after_a_fast_run_are_not_held_back() -> None:
    decoder = learned()
    assert decoder.feed(plain_chunks(20) + b"data: [DONE]\r\r") == [
        ContentDelta("".join(plain(20)), chunks=20),
        StreamDone(),
    ]
    assert decoder.done


def test_fast_path_decodes_valid_escapes_and_unicode() -> None:
    values = ['say "hi"', "tab\tand\nnewline", "back\\slash", "é日🙂", "\u2028", "\x7f", "/"]
    decoder = learned()
    data = b"".join(text(value) for value in values)
    assert decoder.feed(data) == [ContentDelta("".join(values), chunks=len(values))]
    assert decoder.fast_events == len(values)


@pytest.mark.parametrize("body", CRAFTED_BODIES, ids=repr)
def test_a_crafted_chunk_is_not_taken_by_the_fast_path(body: bytes) -> None:
    data = plain_chunks(10) + raw_text(body) + plain_chunks(10, 5)
    decoder = learned()
    got = decoder.feed(data)
    expected, count = reference([data])
    assert normalized(got) == normalized(expected)
    assert decoder.events == 2 + count == 2 + 21
    if body == b"\\u00e9\\n":  # valid JSON string body: decoded fast, the same
        assert decoder.fast_events == 21
    else:
        assert decoder.fast_events == 0


def test_break_out_text_is_read_as_the_json_says() -> None:
    decoder = learned()
    got = decoder.feed(plain_chunks(2) + raw_text(b'a","x":"b') + plain_chunks(2))
    assert got == [ContentDelta("".join(plain(2)) + "a" + "".join(plain(2)), chunks=5)]
    assert decoder.fast_events == 0


def test_reasoning_template() -> None:
    decoder = OpenAIStreamDecoder()
    decoder.feed(chunk({"role": "assistant"}) + think("Let"))
    words = plain(20)
    assert decoder.feed(b"".join(think(w) for w in words)) == [
        ReasoningDelta("".join(words), chunks=20)
    ]
    assert decoder.fast_events == 20
    # content arrives: learned from its first chunk, fast from the next read on
    assert decoder.feed(think("done") + text("A")) == [ReasoningDelta("done"), ContentDelta("A")]
    assert decoder.feed(plain_chunks(20)) == [ContentDelta("".join(plain(20)), chunks=20)]
    assert decoder.fast_events == 40


def test_text_equal_to_the_marker_and_to_another_field() -> None:
    def named(value: str) -> bytes:
        return chunk({"content": value}, model="pawbench")

    decoder = OpenAIStreamDecoder()
    assert decoder.feed(named("pawbench")) == [ContentDelta("pawbench")]
    data = b"".join(named(w) for w in plain(20))
    assert decoder.feed(data) == [ContentDelta("".join(plain(20)), chunks=20)]
    assert decoder.fast_events == 20


def test_no_fast_path_without_the_space_after_data() -> None:
    def bare(value: str) -> bytes:
        return b"data:" + text(value)[len(b"data: ") :]

    decoder = OpenAIStreamDecoder()
    decoder.feed(bare("a"))
    assert decoder.feed(b"".join(bare(w) for w in plain(20))) == [
        ContentDelta("".join(plain(20)), chunks=20)
    ]
    assert decoder.fast_events == 0


def test_learning_stops_after_a_few_chunks() -> None:
    multiline = b"data: " + orjson.dumps({"choices": [{"delta": {"content": "m"}}]}) + b"\n"
    multiline = multiline.replace(b'"choices"', b'\ndata: "choices"')
    assert decode_chunk(SSEParser().feed(multiline + b"\n")[0]) == [ContentDelta("m")]
    decoder = OpenAIStreamDecoder()
    for _ in range(8):  # text chunks, but none usable as a template (multi-line data)
        assert decoder.feed(multiline + b"\n") == [ContentDelta("m")]
    decoder.feed(text("a"))
    assert decoder.feed(plain_chunks(20)) == [ContentDelta("".join(plain(20)), chunks=20)]
    assert decoder.fast_events == 0


def test_an_unterminated_plain_event_is_decoded_at_finish() -> None:
    decoder = learned()
    assert decoder.feed(plain_chunks(3) + text("last")[:-2]) == [
        ContentDelta("".join(plain(3)), chunks=3)
    ]
    assert decoder.finish() == [ContentDelta("last")]
    assert decoder.events == 2 + 4


# --- counters and errors ---


def test_counters() -> None:
    decoder: StreamDecoder = OpenAIStreamDecoder()
    assert (decoder.events, decoder.started, decoder.done) == (0, False, False)
    assert decoder.feed(b": ping\n\n") == []
    assert decoder.feed(b"data: ") == []
    assert (decoder.events, decoder.started, decoder.done) == (0, False, False)
    assert decoder.feed(b'{"choices":[{"delta":{"role":"assistant"}}]}\n\n') == []
    assert (decoder.events, decoder.started, decoder.done) == (1, True, False)
    decoder.feed(plain_chunks(3) + FINISH + USAGE)
    assert (decoder.events, decoder.done) == (6, False)
    assert decoder.feed(DONE) == [StreamDone()]
    assert (decoder.events, decoder.started, decoder.done) == (7, True, True)
    assert decoder.finish() == []


def test_error_messages_are_redacted() -> None:
    data = (
        b'event: error\ndata: {"message": "quota of ' + SECRET.encode() + b'"}\n\n'
        b'data: {"error": {"message": "bad key ' + SECRET.encode() + b'", "code": 401}}\n\n'
    )
    assert OpenAIStreamDecoder(redact).feed(data) == [
        StreamErrorEvent("quota of ***"),
        StreamErrorEvent("bad key *** (code=401)"),
    ]
    assert OpenAIStreamDecoder().feed(data)[0] == StreamErrorEvent(f"quota of {SECRET}")


def test_malformed_chunk_and_tool_calls_keep_their_order() -> None:
    decoder = learned()
    call = chunk({"tool_calls": [{"index": 0, "id": "c1", "function": {"name": "ls"}}]})
    got = decoder.feed(plain_chunks(2) + b"data: {oops\n\n" + plain_chunks(2) + call + text("z"))
    assert got == [
        ContentDelta("".join(plain(2)), chunks=2),
        StreamErrorEvent("malformed chunk: {oops"),
        ContentDelta("".join(plain(2)), chunks=2),
        ToolCallDelta(index=0, id="c1", name="ls"),
        ContentDelta("z"),
    ]
