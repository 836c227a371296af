"""pawbench's built-in plugins. Each module is declared as an entry point in pyproject.toml,
exactly as a third-party plugin is, and imports nothing from pawbench but ``pawbench.api``."""
