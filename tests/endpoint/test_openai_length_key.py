"""The length limit's name: ``max_tokens``, until a server answers it with OpenAI's HTTP 400
naming ``max_completion_tokens`` (its reasoning models); then that name, for the request (sent
again at once) and every request after it. Over real HTTP, against a server that checks the
body as OpenAI does."""

from __future__ import annotations

import asyncio
import dataclasses

from pawbench.api import ChatRequest, RetryScheduled, TransportError

from .scripted_server import Received, Reply, ScriptedServer, chat_stream
from .support import REQUEST, Trace, collect, decoded, make_endpoint, text_of

# OpenAI's answer to max_tokens on a reasoning model, as its API sends it
REJECTED = (
    b'{"error": {"message": "Unsupported parameter: \'max_tokens\' is not supported with this '
    b'model. Use \'max_completion_tokens\' instead.", "type": "invalid_request_error", '
    b'"param": "max_tokens", "code": "unsupported_parameter"}}'
)
LIMITED = dataclasses.replace(REQUEST, max_tokens=77)


def reasoning_model(request: Received) -> Reply:
    """OpenAI's o-series: ``max_tokens`` is rejected, ``max_completion_tokens`` streams."""
    if "max_tokens" in request.json():
        return Reply(status=400, body=REJECTED, content_type="application/json")
    return Reply(chunks=chat_stream(["fine"]))


def limits(server: ScriptedServer) -> list[dict[str, int]]:
    """The length fields of each chat request the server got."""
    keys = ("max_tokens", "max_completion_tokens")
    return [{k: v for k, v in r.json().items() if k in keys} for r in server.chat_requests]


async def _against(
    answer: Reply | None, requests: list[ChatRequest], concurrent: bool = False
) -> tuple[ScriptedServer, list[tuple[Trace, TransportError | None]]]:
    pick = reasoning_model if answer is None else (lambda _request: answer)
    async with ScriptedServer([], answer=pick) as server:
        endpoint = make_endpoint(server.base_url)
        await endpoint.open()
        try:
            if concurrent:
                results = list(await asyncio.gather(*(collect(endpoint, r) for r in requests)))
            else:
                results = [await collect(endpoint, r) for r in requests]
        finally:
            await endpoint.close()
    return server, results


def test_a_rejected_max_tokens_is_sent_again_as_max_completion_tokens() -> None:
    server, [(first, error), (second, error2)] = asyncio.run(_against(None, [LIMITED, LIMITED]))
    assert error is None and error2 is None
    assert text_of(decoded(first)) == text_of(decoded(second)) == "fine"
    # the first request: rejected, sent again at once (a retry outside the budget)
    assert [e for e in first if isinstance(e, RetryScheduled)] == [
        RetryScheduled(0, "http_4xx", 0.0)
    ]
    # the second: straight away under the new name
    assert not [e for e in second if isinstance(e, RetryScheduled)]
    assert limits(server) == [
        {"max_tokens": 77},
        {"max_completion_tokens": 77},
        {"max_completion_tokens": 77},
    ]


def test_requests_in_flight_when_the_name_changes_all_recover() -> None:
    server, results = asyncio.run(_against(None, [LIMITED] * 4, concurrent=True))
    assert all(error is None for _, error in results)
    assert all(text_of(decoded(trace)) == "fine" for trace, _ in results)
    sent = limits(server)
    assert sent.count({"max_completion_tokens": 77}) == 4
    assert 1 <= sent.count({"max_tokens": 77}) <= 4
    assert len(sent) == 4 + sent.count({"max_tokens": 77})


def test_a_400_about_max_completion_tokens_itself_fails_once_renamed() -> None:
    too_big = Reply(
        status=400,
        body=b'{"error": {"message": "max_completion_tokens is too large: 77"}}',
        content_type="application/json",
    )
    server, [(trace, error)] = asyncio.run(_against(too_big, [LIMITED]))
    assert error is not None
    assert (error.cause, error.status) == ("http_4xx", 400)
    assert "max_completion_tokens is too large" in str(error)
    # renamed once (the server named the field), then no loop
    assert limits(server) == [{"max_tokens": 77}, {"max_completion_tokens": 77}]
    assert len([e for e in trace if isinstance(e, RetryScheduled)]) == 1


def test_other_400s_keep_max_tokens() -> None:
    other = Reply(
        status=400,
        body=b'{"error": {"message": "maximum context length is 4096 tokens"}}',
        content_type="application/json",
    )
    server, [(_, error), (_, error2)] = asyncio.run(_against(other, [LIMITED, LIMITED]))
    assert error is not None and error2 is not None
    assert limits(server) == [{"max_tokens": 77}, {"max_tokens": 77}]
