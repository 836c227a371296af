"""Answering one admitted request: streamed as SSE (one write per decode step, however many
steps have passed since the last write) or as one JSON body, with the injected faults."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import orjson
from aiohttp import web

from pawbench.sim.faults import FaultDecision
from pawbench.sim.output import TokenStream
from pawbench.sim.scheduler import Scheduler, Sequence
from pawbench.sim.sse import DONE, ChunkEncoder, usage_body


@dataclass(slots=True)
class Job:
    """One admitted request and how to answer it."""

    scheduler: Scheduler
    seq: Sequence
    tokens: TokenStream
    completion_id: str
    model: str
    created: int
    fault: FaultDecision
    stall_s: float
    include_usage: bool = False


def _position(fraction: float | None, total: int) -> int | None:
    return None if fraction is None else max(1, int(fraction * total))


def _drop(request: web.Request) -> None:
    """Cut the connection without finishing the response (a crashed or restarted server)."""
    transport = request.transport
    if transport is not None:
        transport.abort()


def _malformed(job: Job) -> bytes:
    """An event whose data is JSON cut short."""
    return b'data: {"id":"' + job.completion_id.encode() + b'","choices":[{"delta":{"content":"\n\n'


def _tail(job: Job, enc: ChunkEncoder) -> list[bytes]:
    seq = job.seq
    parts = [enc.finish(job.tokens.finish_reason)]
    if job.include_usage:
        parts.append(enc.usage(seq.prompt_tokens, seq.pos, seq.cached_tokens))
    parts.append(DONE)
    return parts


async def stream(request: web.Request, job: Job) -> web.StreamResponse:
    """Stream the completion as OpenAI ``chat.completion.chunk`` events."""
    resp = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
    )
    seq, total = job.seq, len(job.tokens)
    enc = ChunkEncoder(job.completion_id, job.created, job.model, job.tokens)
    drop = _position(job.fault.drop_at, total)
    stall = _position(job.fault.stall_at, total)
    bad = _position(job.fault.malformed_at, total)
    parts = [enc.role()]
    sent = 0
    try:
        await resp.prepare(request)
        while True:
            marks, done = await seq.next_marks()
            for mark in marks:
                parts.append(enc.tokens(sent, mark))
                sent = mark
                if bad is not None and sent >= bad:
                    parts.append(_malformed(job))
                    bad = None
                if stall is not None and sent >= stall:
                    await resp.write(b"".join(parts))
                    parts = []
                    await asyncio.sleep(job.stall_s)
                    stall = None
                if drop is not None and sent >= drop:
                    await resp.write(b"".join(parts))
                    _drop(request)
                    return resp
            if done and not seq.cancelled:
                parts += _tail(job, enc)
            if parts:
                await resp.write(b"".join(parts))
                parts = []
            if done:
                break
        await resp.write_eof()
    except ConnectionResetError:  # the client went away: nothing to answer
        return resp
    finally:
        if not seq.done:
            job.scheduler.cancel(seq)
    return resp


def _message(tokens: TokenStream, upto: int) -> dict[str, Any]:
    content = tokens.content(upto)
    message: dict[str, Any] = {"role": "assistant", "content": content or None}
    arguments = tokens.call_arguments(upto)
    if arguments:
        message["tool_calls"] = [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": a}}
            for c, a in zip(tokens.calls, arguments, strict=False)
        ]
    return message


async def complete(request: web.Request, job: Job) -> web.StreamResponse:
    """Wait for the whole completion and answer one ``chat.completion`` body."""
    seq = job.seq
    try:
        await seq.wait_done()
    finally:
        if not seq.done:
            job.scheduler.cancel(seq)
    if job.fault.stall_at is not None:
        await asyncio.sleep(job.stall_s)
    if job.fault.drop_at is not None:
        _drop(request)
        return web.Response(status=200)
    body = {
        "id": job.completion_id,
        "object": "chat.completion",
        "created": job.created,
        "model": job.model,
        "choices": [
            {
                "index": 0,
                "message": _message(job.tokens, seq.pos),
                "finish_reason": job.tokens.finish_reason,
            }
        ],
        "usage": usage_body(seq.prompt_tokens, seq.pos, seq.cached_tokens),
    }
    raw = orjson.dumps(body)
    if job.fault.malformed_at is not None:
        raw = raw[: len(raw) // 2]
    return web.Response(body=raw, content_type="application/json")
