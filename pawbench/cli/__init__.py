"""The Typer command-line interface: one module per command group, commands kept thin."""
