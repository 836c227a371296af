"""The engine: agent loop, confined tool workspace, dispatcher (the only place that reads clocks)
and the load-level runner."""
