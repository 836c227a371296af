"""Push decoding of an OpenAI-compatible chat-completion event stream, with a fast path.

``OpenAIStreamDecoder`` is the ``StreamDecoder`` of one response attempt: fed the raw
event-stream body as it comes off the socket (de-chunked, or chunked after ``dechunk``), it
returns exactly the events that ``SSEParser`` framing plus ``decode_chunk`` per event give,
except that consecutive text deltas decoded from one ``feed`` are merged into one delta whose
``chunks`` counts them.

General path: ``SSEParser`` + ``decode_chunk`` per event. Fast path ("stream template"): most
chunks of a stream are byte-identical but for their text, e.g.
``data: {"id":"c1",...,"delta":{"content":"<TEXT>"},"logprobs":null,"finish_reason":null}]}``.
From a chunk that decoded to exactly one ``ContentDelta`` (or ``ReasoningDelta``) the decoder
learns the prefix P (up to the text's opening quote) and suffix Q (from its closing quote), and
proves the split: ``P + "pawbench" + Q`` must parse to the chunk's object with exactly that text
replaced, so the text sits in string context at the very place ``decode_chunk`` reads it.

A run of complete events ``data: P t1 Q\\n\\n ... data: P tn Q\\n\\n`` (from an event boundary up
to the last such event of the read) is then decoded with a handful of C-level operations: split
into lines, cut each at fixed offsets, rebuild and compare (proves the run is exactly that
sequence of single-line events), then one ``orjson.loads`` of ``["t1"<LF>,"t2"<LF>,...,"tn"]``.
That array has exactly n elements only if every ``ti`` is one complete JSON string body: a raw
line feed cannot sit inside a JSON string, so every separator lies between values, each
``"ti"`` piece holds at least one element, and n elements leave each exactly one, the string
from the quote before ``ti`` to the quote after it. Each event thus parses to the template with
``ti``'s value in place of the text, which ``decode_chunk`` turns into ``ContentDelta(value)``
when the value is not empty. Valid escapes (``\\n``, ``\\"``) and any UTF-8 text are decoded
fast too; orjson rejects invalid UTF-8 as it does for one chunk. Texts that are all ASCII
without a quote, a backslash or a control character are JSON string bodies whose value is
their own text: they skip the parse.

Chunked path (``dechunk``): the body is fed as read, chunk framing included, and a run of whole
chunks that each hold one template event is decoded straight from it. One split at CR turns
``size CRLF payload CRLF ...`` into ``LF size``, ``LF payload`` pairs; every size must be the
plain hex length of its payload (no extension, not the last chunk), and the payloads are
rebuilt from their texts and compared as above. Splitting at one byte is a ``memchr``; the
two-byte CRLF split of de-chunking, then the line split, searched every byte twice at several
times the cost. Everything else (chunks cut by the read, several events to a chunk, extensions,
trailers, the last chunk) is de-chunked by the response's ``ChunkedBody`` and decoded by the
paths above.

Everything else goes through the general path: a read that does not start with a template event
(the event under way when the last read ended mid-event is completed first), anything after the
last template event of a read (finish, usage, ``[DONE]``), and a whole read whose run fails a
check (escape errors, CRs, comments, other chunk shapes). A trailing partial event without any
line end is held back, not given to the parser, so that the next read can decode it fast.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from operator import itemgetter
from typing import Any, NamedTuple, cast

import orjson

from pawbench.api import (
    ContentDelta,
    ReasoningDelta,
    StreamDone,
    StreamErrorEvent,
    StreamEvent,
)

from .decode import decode_chunk
from .http1 import HEX, ChunkedBody
from .sse import SSEParser

_TextDelta = ContentDelta | ReasoningDelta
_loads = orjson.loads
_FIELD = b"data: "
_BOUNDARY = b"\n\n"
_LEARN_TRIES = 8
"""Chunks a stream may try to learn a template from (per stream, both kinds together)."""
_MAX_CANDIDATES = 8
"""Occurrences of a chunk's text tried as the template position."""
_MARKER = "pawbench"
_LEARN_EVENTS = 2
"""Events of a stream's first read decoded by the general path before trying the fast path."""
_CHUNK_EVENT_END = b"\n\n\r\n"
"""How a chunk holding whole events ends."""
_SIZE_CACHE = 4096
_SIZES: dict[int, bytes] = {}
"""Payload part length (LF + payload) -> its size part as the chunked fast path splits them
(LF + hex digits), in the form the server writes it; filled as sizes are first seen."""
_PLAIN = re.compile(rb'["\\\x00-\x1f]')
"""What a plain ASCII text (its raw JSON string body is its value) does not hold."""
_TEXT_KINDS: frozenset[type[StreamEvent]] = frozenset({ContentDelta, ReasoningDelta})


class _Template(NamedTuple):
    """The shape shared by the plain text chunks of one stream: ``data: P <text> Q``."""

    head: bytes  # b"data: " + P
    tail: bytes  # Q + b"\n\n"
    sep: bytes  # Q + b"\n\ndata: " + P: what lies between the texts of consecutive events
    cut: Callable[[bytes], bytes]  # one event line -> its raw (JSON-escaped) text
    kind: type[ContentDelta] | type[ReasoningDelta]
    # the chunked fast path: a chunk's payload as split out of the raw body ("\n" + event)
    chunk_lead: bytes  # b"\n" + head
    chunk_sep: bytes  # tail + chunk_lead
    chunk_end: bytes  # tail + b"\r\n": how a template chunk ends on the wire
    chunk_cut: Callable[[bytes], bytes]  # such a payload -> its raw text


class OpenAIStreamDecoder:
    """The ``StreamDecoder`` of one response attempt of an OpenAI-compatible streamed chat
    completion: ``feed`` it the raw event-stream body piece by piece, then ``finish`` at EOF.

    ``events`` counts the SSE events with data (``[DONE]``, finish and usage chunks included),
    ``started`` is true once there is one, ``done`` once ``[DONE]`` was decoded. ``fast_events``
    counts the events decoded by a template fast path, ``fast_chunks`` those of them decoded
    straight from the chunked body (diagnostics and tests). ``redact``, when given, is applied
    to the message of every ``StreamErrorEvent``.
    """

    __slots__ = (
        "_chunks",
        "_parser",
        "_pending",
        "_redact",
        "_tail",
        "_templates",
        "_tries",
        "_unlearned",
        "done",
        "events",
        "fast_chunks",
        "fast_events",
        "started",
    )

    def __init__(self, redact: Callable[[str], str] | None = None) -> None:
        self._parser = SSEParser()
        self._chunks: ChunkedBody | None = None
        self._redact = redact
        self._templates: list[_Template] = []
        self._unlearned: frozenset[type[StreamEvent]] = _TEXT_KINDS
        self._tries = _LEARN_TRIES
        # the last two bytes given to the parser: b"\n\n" means it is at an event boundary
        # (no partial line, no data or event field pending, no CR waiting for its LF)
        self._tail = b""
        # bytes held back instead of being given to the parser: only while the parser is at an
        # event boundary, and only bytes without CR or LF (which the parser would just buffer)
        self._pending = b""
        self.events = 0
        self.started = False
        self.done = False
        self.fast_events = 0
        self.fast_chunks = 0

    def dechunk(self, chunks: ChunkedBody) -> None:
        """From now on ``feed`` takes the body as read, chunk framing included: runs of whole
        template chunks are decoded in one pass, and ``chunks`` (the response's framing,
        which then knows where the body ends) de-chunks everything else."""
        self._chunks = chunks

    def feed(self, data: bytes) -> list[StreamEvent]:
        """The stream events completed by this piece of body, text deltas merged."""
        chunks = self._chunks
        if chunks is None:
            return _merged(self._payload(data))
        out: list[StreamEvent] = []
        pos = 0
        if not self._templates and self._tries:
            # de-chunk just past the first few event chunks, to learn from, then go on fast
            pos = _after(data, _CHUNK_EVENT_END, _LEARN_EVENTS)
            piece, _ = chunks.feed(data[:pos] if pos > 0 else data)
            out = self._payload(piece)
            if pos <= 0:
                return _merged(out)
        if not chunks.at_boundary:
            piece, data, pos = chunks.to_boundary(data, pos)
            out.extend(self._payload(piece))
        if pos < len(data) and self._templates and self._at_boundaries(chunks):
            pos = self._fast_chunks(data, pos, out)
        if pos < len(data):
            piece, _ = chunks.feed(data, pos)
            out.extend(self._payload(piece))
        return _merged(out)

    def _payload(self, data: bytes) -> list[StreamEvent]:
        """The events completed by this piece of (de-chunked) body, unmerged."""
        if not data:
            return []
        out: list[StreamEvent] = []
        if not self._templates:
            if not self._tries:
                return self._general(data)
            # a stream's first read may hold all of it: learn from its first events, then
            # take the rest of the read by the fast path if a template was found
            cut = _after(data, _BOUNDARY, _LEARN_EVENTS)
            out = self._general(data[:cut] if cut > 0 else data)
            if cut <= 0 or not self._templates:
                if cut > 0:
                    out.extend(self._general(data[cut:]))
                return out
            data = data[cut:]
        if self._tail != _BOUNDARY:
            cut = self._boundary(data)
            if cut < 0:
                return self._general(data)
            out = self._general(data[:cut])  # completes the event under way
            data = data[cut:]
        elif self._pending:
            data, self._pending = self._pending + data, b""
        end = self._fast(data, out)
        if end < len(data):
            rest = data[end:] if end else data
            if b"\n" in rest or b"\r" in rest:
                out.extend(self._general(rest))
            else:
                self._pending = rest
        return out

    def finish(self) -> list[StreamEvent]:
        """At the end of the body: the events of any unterminated last event."""
        out = self._general(self._pending) if self._pending else []
        self._pending = b""
        out.extend(self._decode(self._parser.finish()))
        return _merged(out)

    def _boundary(self, data: bytes) -> int:
        """Where the first event boundary in ``data`` ends (the parser being mid-event)."""
        if data[:1] == b"\n" and self._tail[-1:] == b"\n":
            return 1
        found = data.find(_BOUNDARY)
        return found + 2 if found >= 0 else -1

    def _fast(self, data: bytes, out: list[StreamEvent]) -> int:
        """Decode the run of template events that ``data`` starts with, if any, into ``out``;
        the number of bytes decoded (0: none)."""
        for template in self._templates:
            if data.startswith(template.head):
                match = _match(data, template)
                if match is not None:
                    delta, end = match
                    self.events += delta.chunks
                    self.fast_events += delta.chunks
                    self.started = True
                    out.append(delta)
                    return end
        return 0

    def _at_boundaries(self, chunks: ChunkedBody) -> bool:
        """Whether the body is at a chunk boundary and the stream at an event boundary."""
        return chunks.at_boundary and self._tail == _BOUNDARY and not self._pending

    def _fast_chunks(self, data: bytes, pos: int, out: list[StreamEvent]) -> int:
        """Decode the run of whole template chunks that ``data`` starts with at ``pos`` (a
        chunk boundary, and an event boundary of the stream) into ``out``; where it ends."""
        for template in self._templates:
            match = _match_chunked(data, pos, template)
            if match is not None:
                delta, pos = match
                self.events += delta.chunks
                self.fast_events += delta.chunks
                self.fast_chunks += delta.chunks
                self.started = True
                out.append(delta)
        return pos

    def _general(self, data: bytes) -> list[StreamEvent]:
        """Frame ``data`` with the SSE parser and decode the events it completes."""
        self._tail = data[-2:] if len(data) >= 2 else self._tail[-1:] + data
        return self._decode(self._parser.feed(data))

    def _decode(self, payloads: list[bytes]) -> list[StreamEvent]:
        if not payloads:
            return []
        self.events += len(payloads)
        self.started = True
        out: list[StreamEvent] = []
        for payload in payloads:
            events = decode_chunk(payload)
            if self._tries and len(events) == 1 and type(events[0]) in self._unlearned:
                self._learn(payload, events[0])
            out.extend(events)
        for i, event in enumerate(out):
            if type(event) is StreamDone:
                self.done = True
            elif type(event) is StreamErrorEvent and self._redact is not None:
                out[i] = StreamErrorEvent(self._redact(event.message))
        return out

    def _learn(self, payload: bytes, event: StreamEvent) -> None:
        """Learn a template from a chunk that decoded to exactly ``[event]``, if it can be."""
        assert type(event) is ContentDelta or type(event) is ReasoningDelta
        self._tries -= 1
        template = _learn_template(payload, event)
        if template is not None:
            self._templates.append(template)
            self._unlearned = self._unlearned - {type(event)}


def _after(data: bytes, mark: bytes, count: int) -> int:
    """The position just after the ``count``-th ``mark`` in ``data``, or -1 when it has fewer,
    or when that is its end (nothing left for the fast path)."""
    pos = 0
    for _ in range(count):
        found = data.find(mark, pos)
        if found < 0:
            return -1
        pos = found + len(mark)
    return pos if pos < len(data) else -1


def _match(data: bytes, template: _Template) -> tuple[_TextDelta, int] | None:
    """The merged delta of the complete template events that ``data`` (starting with
    ``template.head``) starts with, up to the last of its events that ends like the template,
    and the number of bytes they span; None unless every one of them is a template event."""
    head, tail = template.head, template.tail
    end = data.rfind(tail) + len(tail)
    if end <= len(head) + len(tail):
        return None
    run = data if end == len(data) else data[:end]
    # lines: event, "", event, "", ..., event, "", ""; the rebuild check below proves the shape
    texts = list(map(template.cut, run.split(b"\n")[0:-1:2]))
    body = template.sep.join(texts)
    if len(run) != len(head) + len(body) + len(tail) or not run.startswith(body, len(head)):
        return None
    delta = _delta(texts, template.kind)
    return None if delta is None else (delta, end)


def _match_chunked(buf: bytes, pos: int, template: _Template) -> tuple[_TextDelta, int] | None:
    """Like ``_match``, on the raw chunked body: the merged delta of the whole chunks from
    chunk boundary ``pos`` up to the last one that ends like a template chunk, and where they
    end; None unless every one is a plain chunk (``size CRLF payload CRLF``, no extension)
    holding exactly one template event.

    One split at CR gives ``LF size``, ``LF payload`` pairs (an LF is put before the first
    size); the sizes are checked against the payloads' lengths, the payloads rebuilt from
    their texts and compared as in ``_match``, then the texts are parsed as there."""
    end = buf.rfind(template.chunk_end, pos)
    if end < 0:
        return None
    end += len(template.chunk_end)
    # the LF before the first size: the one that ended the previous chunk, when it is there
    region = buf[pos - 1 : end] if pos and buf[pos - 1] == 10 else b"\n" + buf[pos:end]
    parts = region.split(b"\r")  # LF size, LF payload, ..., LF
    if not len(parts) & 1:
        return None
    sizes, payloads = parts[0:-1:2], parts[1::2]
    lengths = list(map(len, payloads))
    if sizes != list(map(_SIZES.get, lengths)) and not _sized(sizes, lengths):
        return None
    texts = list(map(template.chunk_cut, payloads))
    rebuilt = template.chunk_lead + template.chunk_sep.join(texts) + template.tail
    if b"".join(payloads) != rebuilt:
        return None
    delta = _delta(texts, template.kind)
    return None if delta is None else (delta, end)


def _sized(sizes: list[bytes], lengths: list[int]) -> bool:
    """Whether every size part is a plain hex size (not zero) of the payload part that follows
    (whose length is ``lengths[i]``, its LF included); learns the size parts it checks."""
    for part, length in zip(sizes, lengths, strict=True):
        if _SIZES.get(length) != part:
            digits = part[1:]
            if part[:1] != b"\n" or not HEX.fullmatch(digits) or int(digits, 16) + 1 != length:
                return False
            if length == 1:
                return False  # size 0, the last chunk: the state machine takes it
            if len(_SIZES) < _SIZE_CACHE:
                _SIZES[length] = part
    return True


def _delta(texts: list[bytes], kind: type[_TextDelta]) -> _TextDelta | None:
    """The merged delta of a run of events whose raw texts are ``texts``, or None unless each
    text is exactly one JSON string body, not empty."""
    joined = b"".join(texts)
    if joined.isascii() and not _PLAIN.search(joined) and b"" not in texts:
        return kind(joined.decode("ascii"), len(texts))
    try:  # also rejects invalid UTF-8, as decode_chunk's orjson.loads does
        values: list[Any] = _loads(b'["' + b'"\n,"'.join(texts) + b'"]')
    except orjson.JSONDecodeError:
        return None
    if len(values) != len(texts) or "" in values:
        return None
    return kind("".join(values), len(values))


def _learn_template(payload: bytes, event: _TextDelta) -> _Template | None:
    """The template of chunks shaped like ``payload`` (which decoded to exactly ``[event]``),
    around the raw JSON string of ``event.text``; None if no occurrence of it is proven."""
    if b"\n" in payload or b"\r" in payload:
        return None
    expected = _loads(payload)
    delta = expected["choices"][0]["delta"]
    key = "content"
    if type(event) is ReasoningDelta:
        key = "reasoning_content" if delta.get("reasoning_content") else "reasoning"
    marker = _MARKER if event.text != _MARKER else _MARKER + "!"
    delta[key] = marker
    needle = orjson.dumps(event.text)
    start = payload.find(needle)
    for _ in range(_MAX_CANDIDATES):
        if start < 0:
            return None
        prefix, suffix = payload[: start + 1], payload[start + len(needle) - 1 :]
        try:
            proven = _loads(prefix + marker.encode() + suffix) == expected
        except orjson.JSONDecodeError:
            proven = False
        if proven:
            return _template(prefix, suffix, type(event))
        start = payload.find(needle, start + 1)
    return None


def _template(
    prefix: bytes, suffix: bytes, kind: type[ContentDelta] | type[ReasoningDelta]
) -> _Template:
    head, tail = _FIELD + prefix, suffix + _BOUNDARY
    return _Template(
        head=head,
        tail=tail,
        sep=tail + head,
        cut=itemgetter(slice(len(head), -len(suffix))),
        kind=kind,
        chunk_lead=b"\n" + head,
        chunk_sep=tail + b"\n" + head,
        chunk_end=tail + b"\r\n",
        chunk_cut=itemgetter(slice(len(head) + 1, -len(tail))),
    )


def _merged(events: list[StreamEvent]) -> list[StreamEvent]:
    """``events`` with each run of consecutive deltas of one kind merged into one delta."""
    if len(events) < 2:
        return events
    out: list[StreamEvent] = []
    previous: type | None = None
    for event in events:
        kind = type(event)
        if kind is previous and (kind is ContentDelta or kind is ReasoningDelta):
            last = cast(_TextDelta, out[-1])
            delta = cast(_TextDelta, event)
            out[-1] = kind(last.text + delta.text, last.chunks + delta.chunks)
        else:
            out.append(event)
        previous = kind
    return out
