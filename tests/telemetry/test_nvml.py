"""The ``nvml`` probe's mapping of NVML readings. This machine has no NVIDIA GPU, so NVML itself
cannot run here: a stand-in ``pynvml`` module answers with fixed readings (the real library is
exercised by test_unavailable's local-GPU test, which accepts either outcome)."""

from __future__ import annotations

import sys
import types
from typing import Any

import pytest
from pawbench_builtins.probes.nvml import NvmlOptions, NvmlProbe

from pawbench.api import ProbeContext

from .support import run


class NVMLError(Exception):
    """What pynvml raises."""


def fake_pynvml(energy_mj: list[int]) -> Any:
    """Two GPUs; the second supports neither power nor energy readings."""
    nvml: Any = types.ModuleType("pynvml")
    nvml.NVML_TEMPERATURE_GPU, nvml.NVML_CLOCK_SM = 0, 1
    nvml.shutdowns = 0

    def unsupported(handle: int) -> None:
        if handle == 1:
            raise NVMLError("Not Supported")

    def power(h: int) -> int:
        unsupported(h)
        return 350_000

    def energy(h: int) -> int:
        unsupported(h)
        return energy_mj.pop(0)

    def shutdown() -> None:
        nvml.shutdowns += 1

    nvml.nvmlInit = lambda: None
    nvml.nvmlShutdown = shutdown
    nvml.nvmlDeviceGetCount = lambda: 2
    nvml.nvmlDeviceGetHandleByIndex = lambda i: i
    nvml.nvmlDeviceGetUtilizationRates = lambda h: types.SimpleNamespace(gpu=87 - h)
    memory = types.SimpleNamespace(used=40 * 2**30, total=141 * 2**30)
    nvml.nvmlDeviceGetMemoryInfo = lambda h: memory
    nvml.nvmlDeviceGetPowerUsage = power
    nvml.nvmlDeviceGetTotalEnergyConsumption = energy
    nvml.nvmlDeviceGetTemperature = lambda h, sensor: 61
    nvml.nvmlDeviceGetClockInfo = lambda h, clock: 1980
    nvml.nvmlDeviceGetName = lambda h: b"NVIDIA H200"
    nvml.nvmlDeviceGetPowerManagementLimit = lambda h: 700_000
    nvml.nvmlSystemGetDriverVersion = lambda: "570.86.15"
    nvml.nvmlSystemGetCudaDriverVersion = lambda: 12080
    return nvml


def test_readings_per_gpu_with_unsupported_ones_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    nvml = fake_pynvml([1_000_000, 1_250_000])
    monkeypatch.setitem(sys.modules, "pynvml", nvml)
    probe = NvmlProbe(NvmlOptions(), ProbeContext("http://127.0.0.1:1"))

    async def body() -> tuple[Any, Any, dict[str, Any]]:
        first, second = await probe.sample(), await probe.sample()
        described = await probe.describe()
        await probe.close()
        return first, second, described

    first, second, described = run(body)
    assert first["gpu0_utilization_pct"] == 87 and first["gpu1_utilization_pct"] == 86
    assert first["gpu0_power_w"] == 350 and "gpu1_power_w" not in first
    assert first["gpu0_energy_joules_total"] == 1000 and second["gpu0_energy_joules_total"] == 1250
    assert first["gpu0_memory_used_frac"] == pytest.approx(40 / 141)
    assert described["available"] is True and described["driver_version"] == "570.86.15"
    assert described["devices"][0] == {
        "index": 0,
        "name": "NVIDIA H200",
        "memory_total_bytes": 141 * 2**30,
        "power_limit_w": 700,
    }
    assert nvml.shutdowns == 1


def test_only_the_chosen_devices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pynvml", fake_pynvml([5_000]))
    probe = NvmlProbe(NvmlOptions(devices=[1]), ProbeContext("http://127.0.0.1:1"))
    values = run(probe.sample)
    assert set(values) == {
        "gpu1_utilization_pct",
        "gpu1_memory_used_bytes",
        "gpu1_memory_used_frac",
        "gpu1_temperature_c",
        "gpu1_sm_clock_mhz",
    }


def test_nvml_that_cannot_start_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    nvml = fake_pynvml([])

    def fail() -> None:
        raise NVMLError("Driver Not Loaded")

    nvml.nvmlInit = fail
    monkeypatch.setitem(sys.modules, "pynvml", nvml)
    probe = NvmlProbe(NvmlOptions(), ProbeContext("http://127.0.0.1:1"))
    assert run(probe.sample) is None
    described = run(probe.describe)
    assert described == {
        "available": False,
        "reason": "NVML unavailable: NVMLError: Driver Not Loaded",
    }
