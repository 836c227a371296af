"""Servers without usable /metrics, probes that fail, hang or are missing: the summary says
``unavailable`` with the reason, and nothing raises into the run."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from pydantic import BaseModel

from pawbench.api import Probe, ProbeContext, hookimpl
from pawbench.plugins import PluginHost
from pawbench.telemetry import Telemetry

from .support import MetricsServer, run, telemetry


async def one_level(tel: Telemetry) -> None:
    await tel.level_started("c1/x")
    await tel.sample()
    await tel.level_finished("c1/x")


def test_a_server_without_metrics_is_unavailable_with_the_reason() -> None:
    async def body() -> tuple[dict[str, Any], dict[str, Any]]:
        async with MetricsServer(None, {"/version": {"version": "1.2.3"}}) as srv:
            tel = telemetry(srv.url + "/v1")
            async with tel:
                await one_level(tel)
                return tel.summary(), await tel.model_card()

    summary, card = run(body)
    assert summary["available"] is False and summary["status"] == "unavailable"
    assert "HTTP 404" in summary["reason"] and "/metrics" in summary["reason"]
    assert summary["sources"]["prometheus"]["available"] is False
    (level,) = summary["levels"]
    assert level["complete"] is False and level["deltas"] == {} and level["gauges"] == {}
    assert all(v is None for v in summary["headline"].values() if not isinstance(v, list))
    assert "server metrics unavailable" in summary["headline"]["notes"][0]
    assert card["engine"] is None and card["engine_version"] == "1.2.3"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_server_that_is_not_there_is_unavailable() -> None:
    async def body() -> dict[str, Any]:
        async with telemetry(f"http://127.0.0.1:{_closed_port()}/v1") as tel:
            await one_level(tel)
            return tel.summary()

    summary = run(body)
    assert summary["status"] == "unavailable"
    assert "ClientConnectorError" in summary["reason"]


def test_metrics_of_an_unknown_application_are_unavailable() -> None:
    text = "# TYPE http_requests_total counter\nhttp_requests_total 12\n"

    async def body() -> dict[str, Any]:
        async with MetricsServer(text) as srv, telemetry(srv.url) as tel:
            await one_level(tel)
            return tel.summary()

    summary = run(body)
    assert summary["status"] == "unavailable"
    assert "no metrics of a known engine" in summary["reason"]


def test_a_metrics_url_that_is_not_prometheus_text_is_unavailable() -> None:
    async def body() -> dict[str, Any]:
        async with MetricsServer("<html>hello</html>\n") as srv, telemetry(srv.url) as tel:
            await one_level(tel)
            return tel.summary()

    summary = run(body)
    assert summary["status"] == "unavailable" and "not Prometheus text" in summary["reason"]


class BrokenProbe(Probe):
    """Raises on every sample."""

    name = "broken"

    async def sample(self) -> dict[str, float] | None:
        raise RuntimeError("sensor on fire")


class SlowProbe(Probe):
    """Never answers in time."""

    name = "slow"

    async def sample(self) -> dict[str, float] | None:
        await asyncio.sleep(30)
        return {}


class ConstantProbe(Probe):
    """Always the same reading (a gauge and a counter that does not move)."""

    name = "constant"

    def __init__(self, options: BaseModel, context: ProbeContext) -> None:
        super().__init__(options, context)
        self.readings = 0

    async def sample(self) -> dict[str, float] | None:
        self.readings += 1
        return {"fan_rpm": 1200.0, "fan_turns_total": 5.0, "bogus": float("nan")}


class TestPlugin:
    @hookimpl
    def pawbench_register_probes(self) -> list[type[Probe]]:
        return [BrokenProbe, SlowProbe, ConstantProbe]


def test_failing_hanging_and_missing_probes_are_recorded_not_raised() -> None:
    host = PluginHost(entry_points=[])
    host.register(TestPlugin(), "test-probes", "tests", "0")

    async def body() -> dict[str, Any]:
        names = ["broken", "slow", "constant", "nonexistent"]
        tel = Telemetry(host, "http://127.0.0.1:9/v1", probes=names, sample_timeout_s=0.2)
        async with tel:
            await one_level(tel)
        return tel.summary()

    summary = run(body)
    sources = summary["sources"]
    assert summary["available"] is True  # the constant probe answered
    assert "RuntimeError: sensor on fire" in sources["broken"]["reason"]
    assert "no sample within 0.2 s" in sources["slow"]["reason"]
    assert "cannot load probe 'nonexistent'" in sources["nonexistent"]["reason"]
    assert sources["constant"]["samples_ok"] == 3
    level = summary["levels"][0]
    assert level["deltas"] == {"fan_turns": 0}
    assert level["gauges"]["fan_rpm"]["peak"] == 1200
    assert "bogus" not in summary["series"]["values"]  # NaN readings are dropped


def test_local_gpu_without_a_gpu_is_graceful() -> None:
    async def body() -> tuple[dict[str, Any], dict[str, Any]]:
        async with MetricsServer(None) as srv, telemetry(srv.url, local_gpu=True) as tel:
            await one_level(tel)
            return tel.summary(), await tel.model_card()

    summary, card = run(body)
    nvml = summary["sources"]["nvml"]
    if nvml["available"]:  # a machine with an NVIDIA GPU and driver
        assert "gpu0_memory_used_bytes" in summary["series"]["values"]
        assert card["gpu"]["devices"][0]["memory_total_bytes"] > 0
    else:
        assert nvml["reason"]
        assert card["gpu"]["available"] is False and card["gpu"]["reason"] == nvml["reason"]
