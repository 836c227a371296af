"""``pawbench plugins``: what is installed and whether it loaded."""

from __future__ import annotations

import typer
from rich.table import Table

from pawbench.cli.common import host, print_json, stderr, stdout
from pawbench.errors import PluginError

app = typer.Typer(help="Inspect installed plugins.", no_args_is_help=True)


@app.command("list")
def list_plugins(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """List every component: kind, name, plugin, distribution, version and status."""
    plugin_host = host(ctx)
    rows = plugin_host.components()
    plugins = plugin_host.plugins()
    conflicts = plugin_host.conflicts()
    if as_json:
        print_json(
            {
                "components": [r.as_dict() for r in rows],
                "plugins": [p.__dict__ for p in plugins],
                "conflicts": conflicts,
            }
        )
    else:
        table = Table("kind", "name", "plugin", "distribution", "version", "status", "summary")
        for r in rows:
            status = r.status if r.error is None else f"{r.status}: {r.error}"
            style = "red" if r.status != "loaded" else None
            table.add_row(
                r.kind, r.name, r.plugin, r.distribution, r.version, status, r.summary, style=style
            )
        stdout().print(table)
        for p in plugins:
            if p.status == "failed":
                stderr().print(f"warning: plugin {p.name!r} ({p.distribution}) failed: {p.error}")
            elif p.status != "loaded":
                stderr().print(f"note: plugin {p.name!r} ({p.distribution}) is {p.status}")
    if conflicts:
        raise PluginError(conflicts[0])
