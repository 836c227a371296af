"""The ``prometheus`` probe: the server's ``/metrics`` in pawbench's canonical names.

Each sample is one scrape (prometheus-client's text parser), mapped through the adapter of the
engine the server turns out to be (vLLM V1 or V0, SGLang, TGI, llama.cpp; see ``engines.json``).
``describe`` says which engine, quotes its config-info metrics and a few keys of its info routes
(``/version``, TGI's ``/info``, llama.cpp's ``/props``, SGLang's ``/get_model_info``). No request
carries an auth header; URLs are shown without credentials.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import orjson
from pydantic import BaseModel, ConfigDict, Field

from pawbench.api import Probe, ProbeContext, hookimpl

from .adapters import (
    Adapter,
    Index,
    adapter_named,
    canonical,
    detect,
    info_labels,
    load_adapters,
    parse_metrics,
    select_keys,
)
from .urls import server_root, shown

DEFAULT_INFO = ({"path": "/version", "keys": ("version",)},)
INFO_BYTES = 256 * 1024


class PrometheusOptions(BaseModel):
    """Settings of the ``prometheus`` probe."""

    model_config = ConfigDict(extra="forbid")

    timeout_s: float = Field(default=5.0, gt=0, description="Deadline of one scrape (seconds).")
    engine: str | None = Field(
        default=None,
        description="Use this adapter (vllm-v1, vllm-v0, sglang, tgi, llamacpp) instead of "
        "detecting the engine from the metric names.",
    )
    max_bytes: int = Field(
        default=32 * 1024 * 1024, gt=0, description="Largest /metrics body read (bytes)."
    )


class ScrapeFailed(Exception):
    """A scrape that gave nothing usable; the message says why (no credentials in it)."""


class PrometheusProbe(Probe):
    """The server's /metrics through engine adapters: vLLM V1/V0, SGLang, TGI, llama.cpp."""

    name = "prometheus"
    Options = PrometheusOptions

    def __init__(self, options: BaseModel, context: ProbeContext) -> None:
        super().__init__(options, context)
        assert isinstance(options, PrometheusOptions)
        self.settings = options
        self.root = server_root(context.base_url)
        self.metrics_url = context.metrics_url or self.root + "/metrics"
        self._session: aiohttp.ClientSession | None = None
        self._adapter: Adapter | None = None
        self._index: Index = {}
        self._reason: str | None = "not sampled yet"
        self._info: dict[str, dict[str, Any]] | None = None
        self._info_for: str | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            timeout = aiohttp.ClientTimeout(total=self.settings.timeout_s)
            self._session = aiohttp.ClientSession(timeout=timeout)
        return self._session

    async def _get(self, url: str, limit: int) -> bytes:
        try:
            async with self._client().get(url, headers={"Accept": "text/plain"}) as resp:
                body = await resp.content.read(limit + 1)
                status = resp.status
        except aiohttp.ClientError as exc:
            raise ScrapeFailed(f"GET {shown(url)}: {type(exc).__name__}: {exc}") from None
        except TimeoutError:
            raise ScrapeFailed(
                f"GET {shown(url)}: no answer within {self.settings.timeout_s:g} s"
            ) from None
        if status != 200:
            raise ScrapeFailed(f"GET {shown(url)}: HTTP {status}")
        if len(body) > limit:
            raise ScrapeFailed(f"GET {shown(url)}: body larger than {limit} bytes")
        return body

    def _pick(self, index: Index) -> Adapter:
        wanted = self.settings.engine
        if wanted is not None:
            adapter = adapter_named(wanted)
            if adapter is None:
                known = ", ".join(a.name for a in load_adapters())
                raise ScrapeFailed(f"unknown engine {wanted!r} (known: {known})")
            return adapter
        adapter = self._adapter or detect(index)
        if adapter is None:
            raise ScrapeFailed(
                f"{shown(self.metrics_url)} holds no metrics of a known engine "
                "(vLLM, SGLang, TGI, llama.cpp)"
            )
        return adapter

    async def _scrape(self) -> dict[str, float]:
        body = await self._get(self.metrics_url, self.settings.max_bytes)
        try:
            index = parse_metrics(body.decode("utf-8", errors="replace"))
        except ValueError as exc:
            raise ScrapeFailed(f"{shown(self.metrics_url)}: not Prometheus text ({exc})") from None
        self._adapter = self._pick(index)
        self._index = index
        return canonical(index, self._adapter)

    async def sample(self) -> dict[str, float] | None:
        """One scrape in canonical names; None (and ``describe`` says why) when unavailable."""
        try:
            values = await self._scrape()
        except ScrapeFailed as exc:
            self._reason = str(exc)
            return None
        self._reason = None
        return values

    async def _server_info(self) -> dict[str, dict[str, Any]]:
        engine = self._adapter.name if self._adapter else None
        if self._info is not None and self._info_for == engine:
            return self._info
        routes: tuple[Any, ...] = (
            tuple({"path": e.path, "keys": e.keys} for e in self._adapter.info_endpoints)
            if self._adapter
            else DEFAULT_INFO
        )
        info: dict[str, dict[str, Any]] = {}
        for route in routes:
            try:
                doc = orjson.loads(await self._get(self.root + route["path"], INFO_BYTES))
            except (ScrapeFailed, orjson.JSONDecodeError):
                continue
            if isinstance(doc, dict):
                picked = select_keys(doc, route["keys"])
                if picked:
                    info[route["path"]] = picked
        self._info, self._info_for = info, engine
        return info

    async def describe(self) -> dict[str, Any]:
        """Availability (with the reason when not), the engine, its config-info labels and the
        quoted keys of its info routes."""
        out: dict[str, Any] = {
            "available": self._reason is None,
            "reason": self._reason,
            "metrics_url": shown(self.metrics_url),
            "engine": self._adapter.name if self._adapter else None,
            "engine_title": self._adapter.title if self._adapter else None,
        }
        if self._adapter is not None:
            out["config_info"] = info_labels(self._index, self._adapter)
        out["server_info"] = await self._server_info()
        return out

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()
            self._session = None


@hookimpl
def pawbench_register_probes() -> list[type[Probe]]:
    return [PrometheusProbe]
