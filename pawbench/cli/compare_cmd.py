"""``pawbench compare`` (also installed as ``pawbench-compare``): headline metrics of several
runs side by side, with bootstrap intervals and verdicts where the data allows.

Exit codes: 0 compared; 1 a headline metric regressed beyond ``--fail-on-regression PCT``;
2 bad usage or a file that is not a result.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from pawbench.cli.common import print_json, stdout
from pawbench.errors import UsageError
from pawbench.report.compare import compare, groups_from
from pawbench.report.compare_view import render_comparison
from pawbench.report.loader import LoadedResult, load_result
from pawbench.report.stats import Bootstrap

REGRESSION_EXIT_CODE = 1


def load_runs(args: list[str]) -> list[list[LoadedResult]]:
    """Each argument is one run: a result file, or repeats of one setup joined by commas."""
    runs = []
    for arg in args:
        paths = [Path(p) for p in arg.split(",") if p.strip()]
        if not paths:
            raise UsageError(f"empty run argument {arg!r}")
        runs.append([load_result(p) for p in paths])
    return runs


def register(app: typer.Typer) -> None:
    """Add the ``compare`` command to the root app."""

    @app.command("compare")
    def compare_command(
        runs: list[str] = typer.Argument(
            ...,
            metavar="RESULT[,REPEAT...] ...",
            help="Result files; the first is the baseline. Join repeats of one setup with commas.",
        ),
        fail_on_regression: float | None = typer.Option(
            None,
            "--fail-on-regression",
            metavar="PCT",
            help="Exit with code 1 when a headline metric is worse than the baseline by more "
            "than PCT percent (and its interval, when there is one, is not within noise).",
        ),
        as_json: bool = typer.Option(False, "--json", help="Print the comparison as JSON only."),
        resamples: int = typer.Option(2000, min=100, help="Bootstrap resamples."),
        confidence: float = typer.Option(
            0.95, min=0.5, max=0.999, help="Confidence level of the intervals."
        ),
        seed: int = typer.Option(0, help="Seed of the bootstrap (same seed, same intervals)."),
    ) -> None:
        """Compare results: deltas, bootstrap intervals, verdicts (better/worse/within noise)."""
        if len(runs) < 2:
            raise UsageError("compare needs at least two runs (the first is the baseline)")
        if fail_on_regression is not None and fail_on_regression < 0:
            raise UsageError("--fail-on-regression: PCT must be >= 0")
        groups = groups_from(load_runs(runs))
        doc = compare(groups, Bootstrap(resamples, confidence, seed), fail_on_regression)
        if as_json:
            print_json(doc)
        else:
            render_comparison(doc, stdout())
        if doc["regressions"]:
            raise typer.Exit(REGRESSION_EXIT_CODE)


def main() -> None:
    """The ``pawbench-compare`` console script: ``pawbench compare`` under its own name."""
    from pawbench.cli.app import run_cli  # the app imports this module

    sys.exit(run_cli(["compare", *sys.argv[1:]]))
