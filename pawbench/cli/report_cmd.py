"""``pawbench report`` (console, HTML, ServingCard) and ``pawbench leaderboard``."""

from __future__ import annotations

import io
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson
import typer

from pawbench.cli.common import host, print_json, stderr
from pawbench.errors import UsageError
from pawbench.report import leaderboard
from pawbench.report.compare import compare, groups_from
from pawbench.report.loader import LoadedResult, load_result
from pawbench.report.schema import packaged_schema
from pawbench.report.servingcard import write_serving_card
from pawbench.report.stats import Bootstrap

leaderboard_app = typer.Typer(
    help="Validate results for a leaderboard and render the ranking.", no_args_is_help=True
)


def report_input(results: list[LoadedResult]) -> Mapping[str, Any]:
    """What a reporter renders: the result, or for several results a comparison document
    carrying every result under ``results``."""
    if len(results) == 1:
        return results[0].for_reporter()
    doc = compare(groups_from([[r] for r in results]), Bootstrap())
    doc["results"] = [r.for_reporter() for r in results]
    return doc


def _write(path: Path, content: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(content, encoding="utf-8")
    tmp.replace(path)


def register(app: typer.Typer) -> None:
    """Add ``report`` and the ``leaderboard`` group to the root app."""
    app.add_typer(leaderboard_app, name="leaderboard")

    @app.command("report")
    def report(
        ctx: typer.Context,
        results: list[Path] = typer.Argument(..., help="Result file(s); several: compare mode."),
        html: Path | None = typer.Option(None, "--html", help="Write a self-contained HTML file."),
        servingcard: Path | None = typer.Option(
            None, "--servingcard", help="Write the ServingCard (.json, or .yaml/.yml)."
        ),
        reporter: str | None = typer.Option(
            None, "--reporter", "-r", help="Reporter for stdout (default: console)."
        ),
    ) -> None:
        """Render results: console (default), another reporter, HTML, ServingCard."""
        loaded = [load_result(p) for p in results]
        data = report_input(loaded)
        err = stderr()
        if servingcard is not None:
            if len(loaded) != 1:
                raise UsageError("--servingcard takes exactly one result")
            write_serving_card(loaded[0], servingcard)
            err.print(f"servingcard: {servingcard}")
        if html is not None:
            buffer = io.StringIO()
            host(ctx).reporter("html").render(data, buffer)
            _write(html, buffer.getvalue())
            err.print(f"html: {html}")
        if reporter is not None or (html is None and servingcard is None):
            host(ctx).reporter(reporter or "console").render(data, sys.stdout)


@leaderboard_app.command("validate")
def validate_command(
    results: list[Path] = typer.Argument(..., help="Result files to check."),
) -> None:
    """Check results against the leaderboard schema; exit code 1 when any is invalid."""
    bad = 0
    for path in results:
        result = load_result(path)
        errors = leaderboard.check(result)
        note = "  (simulated endpoint)" if result.document.get("simulated") else ""
        typer.echo(f"{'ok' if not errors else 'INVALID'}  {path}  [{result.format}]{note}")
        for error in errors:
            typer.echo(f"    {error}")
        bad += bool(errors)
    if bad:
        raise typer.Exit(1)


@leaderboard_app.command("render")
def render_command(
    results: list[Path] = typer.Argument(..., help="Result files to rank."),
    fmt: str = typer.Option("md", "--format", help="md, html or json."),
    output: Path | None = typer.Option(None, "--output", "-o", help="File (default: stdout)."),
) -> None:
    """Rank valid results (by DQS, then single-agent tok/s) as Markdown, HTML or JSON."""
    if fmt not in ("md", "html", "json"):
        raise UsageError(f"--format: expected md, html or json, got {fmt!r}")
    loaded = [load_result(p) for p in results]
    for result in loaded:
        errors = leaderboard.check(result)
        if errors:
            raise UsageError(f"{result.path}: not a valid leaderboard entry: {errors[0]}")
    rows = leaderboard.ranking(loaded)
    if fmt == "json":
        content = orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode() + "\n"
    elif fmt == "html":
        content = leaderboard.render_html(rows)
    else:
        content = leaderboard.render_markdown(rows)
    if output is None:
        sys.stdout.write(content)
    else:
        _write(output, content)


@leaderboard_app.command("schema")
def schema_command() -> None:
    """Print the leaderboard entry schema (committed as docs/leaderboard.schema.json)."""
    print_json(packaged_schema("leaderboard"))
