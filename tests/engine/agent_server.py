"""A small OpenAI-compatible server for engine tests that plays a tool-using coding agent and
checks, on the server side, that the client's conversation history is protocol-correct.

Run as a separate process (``python agent_server.py``): it prints ``PORT <n>`` and serves until
killed, so that the client under test does not share its event loop or GIL.

Behaviour per request: when the last message is from the user it answers with two tool calls
(``write_file`` with arguments split over many chunks, and ``read_file``); after tool results it
answers with text. GET /stats returns peak in-flight requests and every protocol violation seen.
Query-free knobs come from environment variables: AGENT_DELAY_S (wait before the first token),
AGENT_TOKEN_DELAY_S, AGENT_BAD_JSON=1 (invalid tool arguments), AGENT_SAME_IDS=1 (reuse ids).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import Any

from aiohttp import web

DELAY_S = float(os.environ.get("AGENT_DELAY_S", "0"))
TOKEN_DELAY_S = float(os.environ.get("AGENT_TOKEN_DELAY_S", "0"))
BAD_JSON = os.environ.get("AGENT_BAD_JSON") == "1"
SAME_IDS = os.environ.get("AGENT_SAME_IDS") == "1"

STATE: dict[str, Any] = {
    "in_flight": 0,
    "peak": 0,
    "requests": 0,
    "violations": [],
    "seq": 0,
    "tool_choices": [],
}


def check_history(messages: list[dict[str, Any]]) -> list[str]:
    """Protocol problems in a chat history."""
    problems: list[str] = []
    seen_ids: set[str] = set()
    pending: list[str] = []
    for i, m in enumerate(messages):
        role = m.get("role")
        if role == "tool":
            cid = m.get("tool_call_id")
            if cid not in pending:
                problems.append(f"message {i}: tool result for unknown or answered id {cid}")
            else:
                pending.remove(cid)
            continue
        if pending:
            problems.append(f"message {i}: calls {pending} were not answered")
            pending = []
        if role == "assistant":
            for call in m.get("tool_calls") or []:
                if call["id"] in seen_ids:
                    problems.append(f"message {i}: reused tool-call id {call['id']}")
                seen_ids.add(call["id"])
                pending.append(call["id"])
        if i > 0 and role == "assistant" and messages[i - 1].get("role") == "assistant":
            problems.append(f"message {i}: two assistant messages in a row")
    return problems


def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
    body = {
        "id": "x",
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return b"data: " + json.dumps(body).encode() + b"\n\n"


async def completions(request: web.Request) -> web.StreamResponse:
    body = await request.json()
    messages = body["messages"]
    STATE["requests"] += 1
    STATE["tool_choices"].append(body.get("tool_choice"))
    STATE["in_flight"] += 1
    STATE["peak"] = max(STATE["peak"], STATE["in_flight"])
    STATE["violations"].extend(check_history(messages))
    resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
    try:
        await resp.prepare(request)
        await resp.write(chunk({"role": "assistant", "content": ""}))
        if DELAY_S:
            await asyncio.sleep(DELAY_S)
        tokens = 0
        if messages[-1]["role"] == "user" and body.get("tools"):
            STATE["seq"] += 1
            n = STATE["seq"]
            ids = ["call_a", "call_b"] if SAME_IDS else [f"call_{n}_a", f"call_{n}_b"]
            args = '{"path": "app.py", "content": "print(\\"hi\\")"}'
            if BAD_JSON:
                args = '{"path": "app.py", "content": '
            await resp.write(
                chunk(
                    {
                        "tool_calls": [
                            {
                                "index": 0,
                                "id": ids[0],
                                "type": "function",
                                "function": {"name": "write_file", "arguments": ""},
                            }
                        ]
                    }
                )
            )
            for k in range(0, len(args), 3):
                await resp.write(
                    chunk(
                        {"tool_calls": [{"index": 0, "function": {"arguments": args[k : k + 3]}}]}
                    )
                )
                tokens += 1
                if TOKEN_DELAY_S:
                    await asyncio.sleep(TOKEN_DELAY_S)
            await resp.write(
                chunk(
                    {
                        "tool_calls": [
                            {
                                "index": 1,
                                "id": ids[1],
                                "type": "function",
                                "function": {
                                    "name": "read_file",
                                    "arguments": '{"path": "README.md"}',
                                },
                            }
                        ]
                    }
                )
            )
            tokens += 5
            await resp.write(chunk({}, "tool_calls"))
        else:
            for word in ["All", " done", ".", "\nSTATUS:", " done"]:
                await resp.write(chunk({"content": word}))
                tokens += 1
                if TOKEN_DELAY_S:
                    await asyncio.sleep(TOKEN_DELAY_S)
            await resp.write(chunk({}, "stop"))
        usage = {"prompt_tokens": 10 * len(messages), "completion_tokens": tokens}
        await resp.write(b"data: " + json.dumps({"choices": [], "usage": usage}).encode() + b"\n\n")
        await resp.write(b"data: [DONE]\n\n")
    finally:
        STATE["in_flight"] -= 1
    return resp


async def models(request: web.Request) -> web.Response:
    return web.json_response({"object": "list", "data": [{"id": "agent-model", "object": "model"}]})


async def stats(request: web.Request) -> web.Response:
    return web.json_response(STATE)


async def main() -> None:
    app = web.Application()
    app.router.add_post("/v1/chat/completions", completions)
    app.router.add_get("/v1/models", models)
    app.router.add_get("/stats", stats)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    sys.stdout.write(f"PORT {port}\n")
    sys.stdout.flush()
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
