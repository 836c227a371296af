"""The root of the CLI and the error boundary: known errors become one line and an exit code."""

from __future__ import annotations

import os
import sys
import traceback

import typer

from pawbench import __version__
from pawbench.cli import compare_cmd, plugins_cmd, report_cmd, run_cmd, scenarios_cmd, sim_cmd
from pawbench.errors import PawbenchError
from pawbench.plugins import PluginHost

app = typer.Typer(
    name="pawbench",
    help="Benchmark OpenAI-compatible LLM endpoints with coding-agent traffic.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(plugins_cmd.app, name="plugins")
app.add_typer(scenarios_cmd.app, name="scenarios")
app.add_typer(sim_cmd.app, name="sim")
run_cmd.register(app)
compare_cmd.register(app)
report_cmd.register(app)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"pawbench {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """pawbench: throughput, quality, efficiency and adaptability of an LLM endpoint."""


def _debug() -> bool:
    return os.environ.get("PAWBENCH_DEBUG", "") not in ("", "0")


def _fail(message: str, code: int) -> int:
    sys.stderr.write(f"pawbench: error: {message}\n")
    return code


def run_cli(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (used by ``main`` and by tests)."""
    host = PluginHost.from_environment()
    try:
        result = app(args=argv, obj=host, standalone_mode=False, prog_name="pawbench")
    except typer.Exit as exc:
        return exc.exit_code
    except typer.TyperException as exc:  # usage errors: shown with the usage line
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            sys.stderr.write(f"Error: {exc.format_message()}\n")
        return exc.exit_code
    except typer.Abort:
        return _fail("aborted", 130)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except PawbenchError as exc:
        if _debug():
            traceback.print_exc()
        return _fail(str(exc), exc.exit_code)
    except Exception as exc:
        if _debug():
            traceback.print_exc()
            return 1
        text = " ".join(str(exc).split())
        return _fail(
            f"internal error: {type(exc).__name__}: {text} (PAWBENCH_DEBUG=1 shows a traceback)", 1
        )
    return result if isinstance(result, int) else 0


def main() -> None:
    """Console-script entry point."""
    sys.exit(run_cli())
