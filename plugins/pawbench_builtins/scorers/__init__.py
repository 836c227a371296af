"""Built-in scorers: tool-call accuracy, turn expectations, format compliance, useful output
ratio and event following. Each module is its own entry point; the metric names they emit are
the contract the core's dimension blocks read (docs/metrics.md)."""
