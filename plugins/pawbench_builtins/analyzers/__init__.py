"""Built-in artifact analyzers: ``python`` (ruff, mypy, radon) and the ``generic`` fallback.

Both only read the files the model wrote: tools run as isolated subprocesses (``python -I``,
minimal environment, timeout) or parse the text in-process; nothing is imported or executed.
Formulas: docs/artifact-quality.md.
"""
