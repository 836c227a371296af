"""``pawbench scenarios``: list, show, validate, schema."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from pawbench.cli.common import print_json, stderr, stdout
from pawbench.errors import ScenarioError
from pawbench.models.scenario import Scenario
from pawbench.scenario_summary import summarize
from pawbench.scenarios import ScenarioCatalog, load_scenario_file

app = typer.Typer(help="Built-in and custom scenarios.", no_args_is_help=True)


@app.command("list")
def list_scenarios(
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """List the built-in scenarios."""
    catalog = ScenarioCatalog()
    entries = [catalog.entries[i] for i in catalog.ids()]
    if as_json:
        print_json(
            [
                {
                    "id": e.scenario.id,
                    "name": e.scenario.name,
                    "agents": len(e.scenario.agents),
                    "turns": sum(len(a.turns) for a in e.scenario.agents),
                    "path": str(e.path),
                }
                for e in entries
            ]
        )
    else:
        table = Table("id", "name", "agents", "turns", "tiers")
        for e in entries:
            s = e.scenario
            tiers = sorted({t for a in s.agents for t in _tiers(s, a.id)})
            table.add_row(
                s.id,
                s.name,
                str(len(s.agents)),
                str(sum(len(a.turns) for a in s.agents)),
                ", ".join(tiers) or "-",
            )
        stdout().print(table)
    for path, reason in catalog.skipped:
        stderr().print(f"warning: skipped {path.name}: {reason}")


def _tiers(scenario: Scenario, agent_id: str) -> list[str]:
    agent = scenario.agent(agent_id)
    return [t for t in (scenario.turn_tier(agent, turn) for turn in agent.turns) if t]


@app.command("show")
def show(scenario_ref: str = typer.Argument(..., metavar="ID|FILE")) -> None:
    """Show a readable summary of a scenario: agents, turns, tools, events, tiers, fixtures."""
    scenario = ScenarioCatalog().resolve(scenario_ref)
    stdout().print(summarize(scenario))


@app.command("validate")
def validate(files: list[Path] = typer.Argument(..., exists=False)) -> None:
    """Validate scenario files; one line per file, exit code 2 if any is invalid."""
    if len(files) == 1:  # a single bad file is reported by the root handler, in one line
        scenario = load_scenario_file(files[0])
        stdout().print(f"ok: {files[0]} ({scenario.id})", markup=False)
        return
    failures = 0
    for path in files:
        try:
            scenario = load_scenario_file(path)
        except ScenarioError as exc:
            failures += 1
            stderr().print(f"error: {exc}", markup=False)
            continue
        stdout().print(f"ok: {path} ({scenario.id})", markup=False)
    if failures:
        raise ScenarioError(f"{failures} of {len(files)} scenario file(s) invalid")


@app.command("schema")
def schema() -> None:
    """Print the JSON Schema of the scenario format."""
    print_json(scenario_json_schema())


def scenario_json_schema() -> dict[str, object]:
    """The JSON Schema of the scenario model (committed as docs/scenario.schema.json)."""
    return Scenario.model_json_schema(by_alias=True)
