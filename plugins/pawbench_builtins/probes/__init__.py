"""Built-in probes: ``prometheus`` (the server's /metrics through per-engine adapters kept as
data in ``engines.json``) and ``nvml`` (this machine's GPUs, for ``--local-gpu``)."""
