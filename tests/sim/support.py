"""Helpers of the simulator tests: a streaming client that keeps every event, a JSON Schema
checker for the subset tools use (jsonschema is not a dependency), the mini scenario."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import orjson

from pawbench.models.scenario import Scenario
from pawbench.scenarios import load_scenario_file

MINI = Path(__file__).with_name("mini_scenario.json")
STATUS_KEYS = ("STATUS", "FILES_CREATED", "FILES_MODIFIED", "TESTS", "BUILD", "LEARNED")


def mini_scenario() -> Scenario:
    """The test scenario, loaded (and so validated) like any scenario file."""
    return load_scenario_file(MINI)


def tools_of(scenario: Scenario, names: list[str] | None = None) -> list[dict[str, Any]]:
    """The scenario's tools in the request format (all, or those named)."""
    tools = [t for t in scenario.tools_schema if names is None or t.function.name in names]
    return [t.model_dump(mode="json", exclude_none=True) for t in tools]


@dataclass
class Streamed:
    """Everything one streamed response carried."""

    status: int
    headers: dict[str, str]
    events: list[bytes] = field(default_factory=list)
    chunks: list[dict[str, Any]] = field(default_factory=list)
    content: str = ""
    calls: list[dict[str, str]] = field(default_factory=list)
    arg_chunks: list[int] = field(default_factory=list)
    usage: dict[str, Any] | None = None
    finish_reason: str | None = None
    done: bool = False
    ttft_s: float | None = None
    elapsed_s: float = 0.0

    def take(self, chunk: dict[str, Any]) -> None:
        """Fold one parsed chunk into the totals."""
        self.chunks.append(chunk)
        if chunk.get("usage"):
            self.usage = chunk["usage"]
        for choice in chunk.get("choices") or []:
            delta = choice.get("delta") or {}
            self.content += delta.get("content") or ""
            for tc in delta.get("tool_calls") or []:
                index = tc["index"]
                while len(self.calls) <= index:
                    self.calls.append({"id": "", "name": "", "arguments": ""})
                    self.arg_chunks.append(0)
                fn = tc.get("function") or {}
                self.calls[index]["id"] += tc.get("id") or ""
                self.calls[index]["name"] += fn.get("name") or ""
                self.calls[index]["arguments"] += fn.get("arguments") or ""
                self.arg_chunks[index] += 1 if fn.get("arguments") else 0
            if choice.get("finish_reason"):
                self.finish_reason = choice["finish_reason"]


async def stream_chat(
    session: aiohttp.ClientSession, base_url: str, body: dict[str, Any], *, strict: bool = True
) -> Streamed:
    """POST a streamed request and read it to the end. With ``strict`` every event must be
    JSON; otherwise events that are not are kept raw and skipped."""
    body = {**body, "stream": True, "stream_options": {"include_usage": True}}
    start = time.perf_counter()
    async with session.post(base_url + "/v1/chat/completions", json=body) as resp:
        out = Streamed(resp.status, dict(resp.headers))
        if resp.status != 200:
            await resp.read()
            return out
        buffer = b""
        async for data in resp.content.iter_any():
            buffer += data
            while b"\n\n" in buffer:
                event, buffer = buffer.split(b"\n\n", 1)
                _event(out, event, start, strict)
    out.elapsed_s = time.perf_counter() - start
    return out


def _event(out: Streamed, event: bytes, start: float, strict: bool) -> None:
    assert event.startswith(b"data: "), event
    data = event[6:]
    out.events.append(data)
    if data == b"[DONE]":
        out.done = True
        return
    try:
        chunk = orjson.loads(data)
    except orjson.JSONDecodeError:
        if strict:
            raise
        return
    before = (out.content, [c["arguments"] + c["name"] for c in out.calls])
    out.take(chunk)
    after = (out.content, [c["arguments"] + c["name"] for c in out.calls])
    if out.ttft_s is None and after != before:
        out.ttft_s = time.perf_counter() - start


async def chat(session: aiohttp.ClientSession, base_url: str, body: dict[str, Any]) -> Any:
    """POST a non-streamed request; the parsed JSON body."""
    async with session.post(base_url + "/v1/chat/completions", json=body) as resp:
        assert resp.status == 200, await resp.text()
        return orjson.loads(await resp.read())


_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
}


def schema_errors(schema: dict[str, Any], value: Any, where: str = "$") -> list[str]:
    """Violations of ``schema`` by ``value``: type, required, unknown keys, enum, bounds."""
    kind = schema.get("type")
    if isinstance(kind, str) and kind in _TYPES:
        ok = isinstance(value, _TYPES[kind]) and not (
            kind in ("integer", "number") and isinstance(value, bool)
        )
        if not ok:
            return [f"{where}: expected {kind}, got {type(value).__name__}"]
    errors: list[str] = []
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{where}: {value!r} not in enum")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        errors += [f"{where}: missing {k!r}" for k in schema.get("required", []) if k not in value]
        if schema.get("additionalProperties") is False:
            errors += [f"{where}: unknown key {k!r}" for k in value if k not in props]
        for key, item in value.items():
            if key in props:
                errors += schema_errors(props[key], item, f"{where}.{key}")
    if isinstance(value, str) and len(value) < schema.get("minLength", 0):
        errors.append(f"{where}: shorter than minLength")
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(f"{where}: below minimum")
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(f"{where}: above maximum")
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(value):
            errors += schema_errors(schema["items"], item, f"{where}[{i}]")
    return errors


def status_block(text: str) -> dict[str, str]:
    """The ``KEY: value`` lines of a status block at the end of ``text``."""
    found: dict[str, str] = {}
    for line in text.strip().splitlines()[-len(STATUS_KEYS) :]:
        key, _, value = line.partition(":")
        if key.strip() in STATUS_KEYS:
            found[key.strip()] = value.strip()
    return found
