"""Helpers of the telemetry tests: /metrics fixtures rendered from templates, and a real HTTP
server (aiohttp on 127.0.0.1, a free port) that serves whatever text a test sets."""

from __future__ import annotations

import asyncio
import string
from collections.abc import Callable, Coroutine, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from aiohttp import web

from pawbench.plugins import PluginHost
from pawbench.telemetry import Telemetry

FIXTURES = Path(__file__).with_name("fixtures")


def render(engine: str, values: Mapping[str, float]) -> str:
    """The fixture ``<engine>.prom`` with its ``$placeholders`` filled in."""
    template = string.Template((FIXTURES / f"{engine}.prom").read_text())
    return template.substitute({k: repr(float(v)) for k, v in values.items()})


class MetricsServer:
    """Serves ``text`` at /metrics (404 while it is None) and ``routes`` (path -> JSON) beside
    it; keeps the headers of every request it received."""

    def __init__(self, text: str | None = None, routes: Mapping[str, Any] | None = None) -> None:
        self.text = text
        self.routes = dict(routes or {})
        self.headers: list[dict[str, str]] = []
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        """The server root, ``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.headers.append(dict(request.headers))
        if request.path == "/metrics":
            if self.text is None:
                return web.Response(status=404, text="Not Found")
            return web.Response(text=self.text, content_type="text/plain")
        if request.path in self.routes:
            return web.json_response(self.routes[request.path])
        return web.Response(status=404)

    async def __aenter__(self) -> MetricsServer:
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._runner is not None
        await self._runner.cleanup()


def telemetry(base_url: str, **kwargs: Any) -> Telemetry:
    """A Telemetry over the installed plugins that never samples on its own (a long interval):
    tests take every sample explicitly."""
    kwargs.setdefault("interval_s", 3600.0)
    return Telemetry(PluginHost(), base_url, **kwargs)


def run(coro: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    """Run an async test body."""
    return asyncio.run(coro())
