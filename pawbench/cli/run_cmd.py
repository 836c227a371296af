"""``pawbench run``: the benchmark itself (wired to the engine by the engine issue)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the ``run`` command to the root app."""

    @app.command("run")
    def run(ctx: typer.Context) -> None:
        """Run the benchmark."""
        raise typer.Exit(0)
