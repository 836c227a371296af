"""Live progress of ``pawbench run`` on stderr.

On a terminal: a rich live line per level (level, requests done and in flight, output tok/s so
far, errors), replaced by a one-line summary when the level ends. Not on a terminal: only short
lines (the level as it starts, its summary as it ends). Under ``--json``: nothing at all.
"""

from __future__ import annotations

import time

from rich.console import Console
from rich.live import Live
from rich.text import Text

from pawbench.engine.dispatcher import LiveCounters


class ConsoleProgress:
    """Progress messages and the live level display (``pawbench.engine.sweep.LiveView``)."""

    def __init__(self, console: Console, *, quiet: bool = False) -> None:
        self.console = console
        self.quiet = quiet
        self.label = ""
        self.counters = LiveCounters()
        self.started = time.monotonic()
        self._live: Live | None = None

    def __call__(self, message: str) -> None:
        """A progress message (one short line)."""
        if not self.quiet:
            self.console.print(f"[dim]… {message}[/dim]")

    def start_level(self, label: str, counters: LiveCounters) -> None:
        """Start showing a level's counters (live on a terminal)."""
        self.label, self.counters, self.started = label, counters, time.monotonic()
        if self.quiet or not self.console.is_terminal:
            return
        self._live = Live(
            self, console=self.console, refresh_per_second=4, transient=True, redirect_stderr=False
        )
        self._live.start()

    def end_level(self) -> None:
        """Stop the live display and print the level's summary line."""
        live, self._live = self._live, None
        if live is not None:
            live.stop()
        if not self.quiet:
            self.console.print(f"[dim]  {self.line(final=True)}[/dim]")

    def line(self, *, final: bool = False) -> str:
        """The counters as one line."""
        c = self.counters
        seconds = max(time.monotonic() - self.started, 1e-9)
        flight = "" if final else f", {c.in_flight} in flight"
        return (
            f"{self.label}: {c.done} done{flight}, {c.errors} errors, "
            f"{c.tokens / seconds:,.0f} tok/s, {seconds:.1f} s"
        )

    def __rich__(self) -> Text:
        return Text(self.line(), style="cyan")
