"""pawbench's end-to-end set-up: a real llama.cpp server and small real models, from PyPI alone.

- ``e2e.install``: installs llama.cpp's server (the prebuilt ``xllamacpp`` wheel) and GGUF models
  that ship inside PyPI wheels into a cache directory outside the repository
  (``$PAWBENCH_E2E_HOME``, default ``~/.cache/pawbench-e2e``), every model sha256-checked;
- ``e2e.server``: starts a server on a free 127.0.0.1 port, waits for ``/health``, stops it by PID;
- ``e2e.tiny_gguf``: writes the tiny random-weight model locally;
- ``python -m e2e setup|start|stop|status``: the same from a shell (docs/real-servers.md).

Standard library only: it runs under any Python that runs pawbench, and the server runs in the
cache's own virtualenv.
"""
