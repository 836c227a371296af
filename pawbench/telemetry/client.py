"""The client's host: the machine that runs pawbench (the load generator), never the server."""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any

from pawbench import __version__
from pawbench.plugins import PluginHost

LABEL = "client"
NOTE = "the machine that ran pawbench (the load generator), not the server under test"


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith(("model name", "hardware", "cpu model")):
                return line.split(":", 1)[1].strip() or None
    except OSError:
        pass
    return platform.processor() or None


def _memory_bytes() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, OSError, ValueError):
        return None


def client_info(host: PluginHost | None = None) -> dict[str, Any]:
    """OS, CPU, memory, Python, pawbench and plugin versions of this machine, labelled as the
    client's. No host name, user, environment or command line."""
    plugins = [
        {"name": p.name, "distribution": p.distribution, "version": p.version, "status": p.status}
        for p in (host.plugins() if host is not None else [])
    ]
    return {
        "label": LABEL,
        "note": NOTE,
        "os": platform.system(),
        "os_release": platform.release(),
        "platform": platform.platform(terse=True),
        "machine": platform.machine(),
        "cpu_model": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "memory_bytes": _memory_bytes(),
        "python": {
            "version": platform.python_version(),
            "implementation": platform.python_implementation(),
        },
        "pawbench_version": __version__,
        "plugins": plugins,
    }
