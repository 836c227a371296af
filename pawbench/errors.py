"""Errors the CLI turns into one line on stderr and an exit code."""

from __future__ import annotations


class PawbenchError(Exception):
    """A known failure: reported as one line, no traceback (unless PAWBENCH_DEBUG=1)."""

    exit_code: int = 1


class UsageError(PawbenchError):
    """Bad flags or bad input from the user."""

    exit_code = 2


class ScenarioError(UsageError):
    """A scenario file that cannot be loaded: the message names file, JSON path and problem."""


class PluginError(PawbenchError):
    """A plugin conflict or a component that a run needs but cannot be loaded."""

    exit_code = 2


class EndpointError(PawbenchError):
    """The endpoint cannot be used at all (unreachable, no model, refused credentials)."""

    exit_code = 3
