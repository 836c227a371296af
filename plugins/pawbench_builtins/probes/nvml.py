"""The ``nvml`` probe: this machine's NVIDIA GPUs through NVML (``pynvml`` from nvidia-ml-py).

Only meaningful when the server runs on the machine that runs pawbench (``--local-gpu``).
Without the library, the driver or a GPU it answers None and ``describe`` says why. Values per
GPU ``i``: ``gpu{i}_utilization_pct``, ``gpu{i}_memory_used_bytes``, ``gpu{i}_memory_used_frac``,
``gpu{i}_power_w``, ``gpu{i}_temperature_c``, ``gpu{i}_sm_clock_mhz`` (gauges) and
``gpu{i}_energy_joules_total`` (a counter); a reading the GPU does not support is left out.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from pawbench.api import Probe, ProbeContext, hookimpl


class NvmlOptions(BaseModel):
    """Settings of the ``nvml`` probe."""

    model_config = ConfigDict(extra="forbid")

    devices: list[int] | None = Field(
        default=None, description="GPU indices to sample (default: every GPU)."
    )


Reading = tuple[str, Callable[[Any], float]]


def _readings(nvml: Any) -> tuple[Reading, ...]:
    """Each value per GPU: its name suffix and how to read it from a device handle."""
    return (
        ("utilization_pct", lambda h: nvml.nvmlDeviceGetUtilizationRates(h).gpu),
        ("memory_used_bytes", lambda h: nvml.nvmlDeviceGetMemoryInfo(h).used),
        ("memory_used_frac", lambda h: _used_frac(nvml.nvmlDeviceGetMemoryInfo(h))),
        ("power_w", lambda h: nvml.nvmlDeviceGetPowerUsage(h) / 1000),
        ("temperature_c", lambda h: nvml.nvmlDeviceGetTemperature(h, nvml.NVML_TEMPERATURE_GPU)),
        ("sm_clock_mhz", lambda h: nvml.nvmlDeviceGetClockInfo(h, nvml.NVML_CLOCK_SM)),
        ("energy_joules_total", lambda h: nvml.nvmlDeviceGetTotalEnergyConsumption(h) / 1000),
    )


class NvmlProbe(Probe):
    """This machine's NVIDIA GPUs through NVML: utilization, memory, power, energy, clocks."""

    name = "nvml"
    Options = NvmlOptions

    def __init__(self, options: BaseModel, context: ProbeContext) -> None:
        super().__init__(options, context)
        assert isinstance(options, NvmlOptions)
        self.settings = options
        self._nvml: Any = None
        self._handles: list[tuple[int, Any]] = []
        self._reason: str | None = "not sampled yet"
        self._tried = False

    def _start(self) -> bool:
        if self._tried:
            return self._nvml is not None
        self._tried = True
        try:
            nvml = importlib.import_module("pynvml")
        except ImportError:
            self._reason = "pynvml (nvidia-ml-py) is not installed"
            return False
        try:
            nvml.nvmlInit()
            count = nvml.nvmlDeviceGetCount()
            wanted = self.settings.devices if self.settings.devices is not None else range(count)
            self._handles = [(i, nvml.nvmlDeviceGetHandleByIndex(i)) for i in wanted if i < count]
        except Exception as exc:  # NVMLError: no driver, no GPU, no permission
            self._reason = f"NVML unavailable: {type(exc).__name__}: {exc}"
            return False
        if not self._handles:
            self._reason = "NVML found no GPU"
            nvml.nvmlShutdown()
            return False
        self._nvml = nvml
        self._reason = None
        return True

    def _sample_now(self) -> dict[str, float] | None:
        if not self._start():
            return None
        values: dict[str, float] = {}
        readings = _readings(self._nvml)
        for i, handle in self._handles:
            for suffix, read in readings:
                try:
                    values[f"gpu{i}_{suffix}"] = float(read(handle))
                except Exception:  # a reading this GPU does not support is left out
                    continue
        self._reason = None
        return values

    async def sample(self) -> dict[str, float] | None:
        """One reading of every GPU (NVML calls run in a worker thread)."""
        return await asyncio.to_thread(self._sample_now)

    def _device(self, index: int, handle: Any) -> dict[str, Any]:
        nvml = self._nvml
        info: dict[str, Any] = {"index": index}
        for key, read in (
            ("name", lambda: _text(nvml.nvmlDeviceGetName(handle))),
            ("memory_total_bytes", lambda: int(nvml.nvmlDeviceGetMemoryInfo(handle).total)),
            ("power_limit_w", lambda: nvml.nvmlDeviceGetPowerManagementLimit(handle) / 1000),
        ):
            try:
                info[key] = read()
            except Exception:  # not supported on this GPU
                continue
        return info

    def _describe_now(self) -> dict[str, Any]:
        out: dict[str, Any] = {"available": self._start(), "reason": self._reason}
        if self._nvml is None:
            return out
        nvml = self._nvml
        for key, read in (
            ("driver_version", lambda: _text(nvml.nvmlSystemGetDriverVersion())),
            ("cuda_driver_version", lambda: nvml.nvmlSystemGetCudaDriverVersion()),
        ):
            try:
                out[key] = read()
            except Exception:  # an old driver
                continue
        out["devices"] = [self._device(i, h) for i, h in self._handles]
        return out

    async def describe(self) -> dict[str, Any]:
        """Availability (with the reason when not), driver versions and each GPU's name, memory
        and power limit."""
        return await asyncio.to_thread(self._describe_now)

    async def close(self) -> None:
        """Shut NVML down."""
        if self._nvml is not None:
            nvml, self._nvml = self._nvml, None
            await asyncio.to_thread(nvml.nvmlShutdown)


def _used_frac(memory: Any) -> float:
    return float(memory.used) / float(memory.total)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


@hookimpl
def pawbench_register_probes() -> list[type[Probe]]:
    return [NvmlProbe]
