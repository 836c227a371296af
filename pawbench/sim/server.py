"""The simulator's aiohttp application: OpenAI-compatible routes over the scheduler."""

from __future__ import annotations

import hashlib
import itertools
import random
import time
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from pawbench import __version__
from pawbench.sim import personas
from pawbench.sim.faults import FaultDecision, FaultInjector
from pawbench.sim.metrics import SimMetrics
from pawbench.sim.oracle import Oracle
from pawbench.sim.output import TokenStream
from pawbench.sim.profiles import Profile
from pawbench.sim.scheduler import Scheduler, Sequence
from pawbench.sim.streaming import Job, complete, stream
from pawbench.sim.tokens import estimate_tokens, render_prompt

SIMULATED_HEADER = "x-pawbench-simulated"
OWNER = "pawbench-sim"


@dataclass
class SimState:
    """Everything the handlers share."""

    profile: Profile
    seed: int
    time_scale: float
    scheduler: Scheduler
    metrics: SimMetrics
    oracle: Oracle
    faults: FaultInjector
    created: int = field(default_factory=lambda: int(time.time()))
    counter: itertools.count[int] = field(default_factory=itertools.count)


STATE = web.AppKey("pawbench_sim_state", SimState)


def error(
    status: int, message: str, kind: str, headers: dict[str, str] | None = None
) -> web.Response:
    """An OpenAI-style error body."""
    body = {"error": {"message": message, "type": kind, "param": None, "code": status}}
    return web.Response(
        status=status, body=orjson.dumps(body), content_type="application/json", headers=headers
    )


def _fault_response(state: SimState, fault: FaultDecision) -> web.Response | None:
    if fault.status == 429:
        retry = str(state.faults.faults.retry_after_s)
        headers = {"Retry-After": retry}
        return error(429, "simulated rate limit", "rate_limit_exceeded", headers)
    if fault.status == 503:
        return error(503, "simulated overload", "service_unavailable", {"Retry-After": "1"})
    if fault.status == 500:
        return error(500, "simulated internal error", "internal_server_error")
    return None


def _min_tokens(body: dict[str, Any], max_tokens: int) -> int:
    """vLLM's ``ignore_eos`` (generate up to max_tokens) and ``min_tokens``."""
    if body.get("ignore_eos") is True:
        return max_tokens
    value = body.get("min_tokens")
    return value if isinstance(value, int) and value > 0 else 0


def _max_tokens(body: dict[str, Any], limit: int) -> int | web.Response:
    value = body.get("max_completion_tokens", body.get("max_tokens"))
    if value is None:
        return limit
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        return error(400, "max_tokens must be a positive integer", "invalid_request_error")
    return min(value, limit)


def _request_seed(state: SimState, model: str, body: dict[str, Any]) -> str:
    """The seed of a request's generator: server seed, request seed, and a digest of what the
    model sees (not of stream flags or limits, so streamed and plain replies are identical)."""
    seen = [model, body.get("messages"), body.get("tools"), body.get("tool_choice")]
    digest = hashlib.blake2b(orjson.dumps(seen), digest_size=16).hexdigest()
    return f"{state.seed}:{body.get('seed')}:{digest}"


def _check(body: Any) -> web.Response | None:
    if not isinstance(body, dict):
        return error(400, "the request body must be a JSON object", "invalid_request_error")
    model = body.get("model")
    if model not in personas.PERSONAS:
        known = ", ".join(personas.PERSONAS)
        return error(404, f"The model `{model}` does not exist (served: {known}).", "NotFoundError")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return error(400, "messages must be a non-empty list", "invalid_request_error")
    return None


def _admit(state: SimState, body: dict[str, Any]) -> Job | web.Response:
    """Plan the reply to a checked request and queue it, or the error that refuses it."""
    profile = state.profile
    prompt = render_prompt(body["messages"], body.get("tools"))
    prompt_tokens = estimate_tokens(prompt)
    if prompt_tokens >= profile.max_model_len:
        message = (
            f"This model's maximum context length is {profile.max_model_len} tokens; "
            f"the messages have {prompt_tokens} tokens."
        )
        return error(400, message, "BadRequestError")
    max_tokens = _max_tokens(body, profile.max_model_len - prompt_tokens)
    if isinstance(max_tokens, web.Response):
        return max_tokens
    fault = state.faults.draw()
    refused = _fault_response(state, fault)
    if refused is not None:
        return refused
    model = str(body["model"])
    seed = _request_seed(state, model, body)
    reply = personas.reply(model, body, state.oracle, random.Random(seed))
    tokens = TokenStream(reply, max_tokens, _min_tokens(body, max_tokens))
    seq = Sequence(prompt, prompt_tokens, len(tokens), seed)
    if not state.scheduler.fits(seq):
        return error(400, "the request does not fit the simulated KV cache", "BadRequestError")
    state.scheduler.submit(seq)
    options = body.get("stream_options")
    return Job(
        scheduler=state.scheduler,
        seq=seq,
        tokens=tokens,
        completion_id=f"chatcmpl-sim-{next(state.counter):08x}",
        model=model,
        created=int(time.time()),
        fault=fault,
        stall_s=state.faults.faults.stall_s,
        include_usage=isinstance(options, dict) and bool(options.get("include_usage")),
    )


async def chat_completions(request: web.Request) -> web.StreamResponse:
    """POST /v1/chat/completions (streamed when ``stream`` is true)."""
    state = request.app[STATE]
    try:
        body = orjson.loads(await request.read())
    except orjson.JSONDecodeError:
        return error(400, "the request body is not valid JSON", "invalid_request_error")
    problem = _check(body)
    if problem is not None:
        return problem
    job = _admit(state, body)
    if isinstance(job, web.Response):
        return job
    if body.get("stream"):
        return await stream(request, job)
    return await complete(request, job)


async def models(request: web.Request) -> web.Response:
    """GET /v1/models: the personas, sim-good first."""
    state = request.app[STATE]
    data = [
        {
            "id": name,
            "object": "model",
            "created": state.created,
            "owned_by": OWNER,
            "root": name,
            "parent": None,
            "max_model_len": state.profile.max_model_len,
        }
        for name in personas.PERSONAS
    ]
    return web.json_response({"object": "list", "data": data}, dumps=_dumps)


async def version(request: web.Request) -> web.Response:
    """GET /version: says that this endpoint is simulated."""
    state = request.app[STATE]
    body = {
        "version": f"pawbench-sim {__version__}",
        "simulated": True,
        "profile": state.profile.name,
        "seed": state.seed,
        "time_scale": state.time_scale,
    }
    return web.json_response(body, dumps=_dumps)


async def health(request: web.Request) -> web.Response:
    """GET /health: 200 while serving."""
    return web.Response(status=200)


async def metrics(request: web.Request) -> web.Response:
    """GET /metrics: Prometheus text, vLLM V1 names."""
    body = request.app[STATE].metrics.render()
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


def _dumps(obj: Any) -> str:
    return orjson.dumps(obj).decode()


async def _mark_simulated(request: web.Request, response: web.StreamResponse) -> None:
    response.headers[SIMULATED_HEADER] = "true"


def build_app(state: SimState) -> web.Application:
    """The aiohttp application over ``state``."""
    app = web.Application(client_max_size=256 * 1024 * 1024)
    app[STATE] = state
    app.on_response_prepare.append(_mark_simulated)
    app.router.add_post("/v1/chat/completions", chat_completions)
    app.router.add_get("/v1/models", models)
    app.router.add_get("/version", version)
    app.router.add_get("/health", health)
    app.router.add_get("/metrics", metrics)
    return app
