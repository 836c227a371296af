"""The pluggy hook specifications of pawbench (project name ``pawbench``).

Each hook is synchronous and returns a list of component classes; the async work lives in the
objects. A plugin module implements any subset of them with ``@hookimpl`` from
``pawbench.api`` and is declared in its distribution's ``[project.entry-points.pawbench]``.
"""

from __future__ import annotations

import pluggy

from pawbench.components import Analyzer, Endpoint, Probe, Reporter, Scorer, Shape

hookspec = pluggy.HookspecMarker("pawbench")


@hookspec
def pawbench_register_endpoints() -> list[type[Endpoint]]:  # type: ignore[empty-body]
    """Return endpoint classes: each turns a chat request into wire traffic."""


@hookspec
def pawbench_register_shapes() -> list[type[Shape]]:  # type: ignore[empty-body]
    """Return orchestration shape classes: each plans which agents run when, sharing what."""


@hookspec
def pawbench_register_scorers() -> list[type[Scorer]]:  # type: ignore[empty-body]
    """Return scorer classes: each judges agent sessions from their records."""


@hookspec
def pawbench_register_analyzers() -> list[type[Analyzer]]:  # type: ignore[empty-body]
    """Return artifact analyzer classes: each inspects the files the model wrote."""


@hookspec
def pawbench_register_probes() -> list[type[Probe]]:  # type: ignore[empty-body]
    """Return probe classes: each samples telemetry during a run."""


@hookspec
def pawbench_register_reporters() -> list[type[Reporter]]:  # type: ignore[empty-body]
    """Return reporter classes: each renders a result document."""


HOOK_KINDS: dict[str, str] = {
    "pawbench_register_endpoints": "endpoint",
    "pawbench_register_shapes": "shape",
    "pawbench_register_scorers": "scorer",
    "pawbench_register_analyzers": "analyzer",
    "pawbench_register_probes": "probe",
    "pawbench_register_reporters": "reporter",
}
