"""The incremental SSE parser: framing rules real servers need, at any split of the bytes."""

from __future__ import annotations

import orjson
import pytest
from pawbench_builtins.endpoints.sse import SSEParser


def parse(*chunks: bytes) -> list[bytes]:
    parser = SSEParser()
    out: list[bytes] = []
    for chunk in chunks:
        out.extend(parser.feed(chunk))
    return out + parser.finish()


REALISTIC = (
    b": keep-alive\r\n\r\n"
    b'data: {"choices":[{"delta":{"content":"Hel"}}]}\r\n\r\n'
    b"event: message\r\nid: 7\r\nretry: 100\r\n"
    b'data:{"choices":[{"delta":{"content":"lo"}}]}\r\n\r\n'
    b"data: line one\ndata: line two\n\n"
    b"data: cr only\r\r"
    b"data: [DONE]\n\n"
)
REALISTIC_EVENTS = [
    b'{"choices":[{"delta":{"content":"Hel"}}]}',
    b'{"choices":[{"delta":{"content":"lo"}}]}',
    b"line one\nline two",
    b"cr only",
    b"[DONE]",
]


def test_single_event_with_and_without_space() -> None:
    assert parse(b"data: {}\n\n") == [b"{}"]
    assert parse(b"data:{}\n\n") == [b"{}"]
    # only one space is part of the syntax; more belong to the value
    assert parse(b"data:  x\n\n") == [b" x"]


def test_line_endings_crlf_lf_cr() -> None:
    assert parse(b"data: a\r\n\r\ndata: b\n\ndata: c\r\rdata: d\r\n\n") == [b"a", b"b", b"c", b"d"]


def test_comments_and_ignored_fields() -> None:
    stream = b": keep-alive\n\n:\n\nid: 1\nevent: message\nretry: 5\nfoo: bar\ndata: x\n\n"
    assert parse(stream) == [b"x"]


def test_event_without_data_is_not_dispatched() -> None:
    assert parse(b"event: ping\n\nid: 3\n\n") == []


def test_multi_line_data_joined_by_newline() -> None:
    assert parse(b"data: a\ndata:b\ndata\n\n") == [b"a\nb\n"]


def test_empty_data_field_is_an_event() -> None:
    assert parse(b"data:\n\n") == [b""]


def test_several_events_in_one_chunk() -> None:
    assert parse(b"data: 1\n\ndata: 2\n\ndata: 3\n\n") == [b"1", b"2", b"3"]


def test_realistic_stream_whole() -> None:
    assert parse(REALISTIC) == REALISTIC_EVENTS


def test_byte_by_byte() -> None:
    assert parse(*[REALISTIC[i : i + 1] for i in range(len(REALISTIC))]) == REALISTIC_EVENTS


@pytest.mark.parametrize("size", [2, 3, 5, 7, 13])
def test_fixed_size_reads(size: int) -> None:
    pieces = [REALISTIC[i : i + size] for i in range(0, len(REALISTIC), size)]
    assert parse(*pieces) == REALISTIC_EVENTS


def test_every_two_way_split() -> None:
    for cut in range(len(REALISTIC) + 1):
        assert parse(REALISTIC[:cut], REALISTIC[cut:]) == REALISTIC_EVENTS, cut


def test_crlf_split_between_reads_is_one_line_end() -> None:
    parser = SSEParser()
    assert parser.feed(b"data: a\r") == []
    # the LF completes the CRLF of the data line; the next CRLF is the blank line
    assert parser.feed(b"\n") == []
    assert parser.feed(b"\r") == [b"a"]
    assert parser.feed(b"\n") == []
    assert parser.feed(b"data: b\n\n") == [b"b"]


def test_events_returned_as_soon_as_complete() -> None:
    parser = SSEParser()
    assert parser.feed(b"data: one\n") == []
    assert parser.feed(b"\ndata: tw") == [b"one"]
    assert parser.feed(b"o\n\n") == [b"two"]


def test_final_event_without_blank_line_at_eof() -> None:
    parser = SSEParser()
    assert parser.feed(b"data: a\n\ndata: last") == [b"a"]
    assert parser.finish() == [b"last"]
    parser = SSEParser()
    assert parser.feed(b"data: last\n") == []
    assert parser.finish() == [b"last"]
    assert SSEParser().finish() == []


def test_leading_bom_is_skipped() -> None:
    assert parse(b"\xef\xbb\xbfdata: x\n\n") == [b"x"]


def test_error_event_with_plain_text() -> None:
    (payload,) = parse(b"event: error\ndata: model overloaded\n\n")
    assert orjson.loads(payload) == {"error": {"message": "model overloaded"}}


def test_error_event_with_error_object_is_kept() -> None:
    data = b'{"error":{"message":"boom","code":500}}'
    assert parse(b"event: error\ndata: " + data + b"\n\n") == [data]


def test_error_event_with_other_object_is_wrapped() -> None:
    (payload,) = parse(b'event: error\ndata: {"message":"bad"}\n\n')
    assert orjson.loads(payload) == {"error": {"message": "bad"}}


def test_error_event_without_data_still_reports() -> None:
    (payload,) = parse(b"event: error\n\n")
    assert orjson.loads(payload) == {"error": {"message": "the server sent an error event"}}


def test_event_type_resets_after_each_event() -> None:
    assert parse(b"event: error\ndata: x\n\ndata: y\n\n")[1] == b"y"
