"""Run llama.cpp's HTTP server (llama-server) as embedded in the ``xllamacpp`` wheel.

Run by the e2e cache's own virtualenv, not pawbench's (``e2e.realserver`` starts it):
``xllamacpp.Server(params)`` loads the model and serves the OpenAI-compatible API (/v1/models,
/v1/chat/completions, /health, Prometheus /metrics, /slots) from background threads; this process
only keeps it alive until SIGTERM or SIGINT, or, with ``--exit-with-parent``, until the process
that started it is gone (so that a killed test run never leaves a server behind).

    python launch_server.py --model M.gguf --port 8088 [--alias NAME] [--parallel 8]
        [--ctx 8192] [--threads N] [--http-threads N] [--chat-template-file F] [--exit-with-parent]
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from typing import Any


def _args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="llama.cpp server from the xllamacpp wheel")
    p.add_argument("--model", required=True, help="GGUF file")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--alias", help="model id that /v1/models reports")
    p.add_argument("--parallel", type=int, default=8, help="slots: sequences decoded together")
    p.add_argument("--ctx", type=int, default=8192, help="KV cache tokens, shared by all slots")
    p.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    p.add_argument("--http-threads", type=int, default=-1, help="-1: llama.cpp's default")
    p.add_argument("--chat-template-file", help="Jinja chat template replacing the model's")
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--exit-with-parent", action="store_true")
    return p.parse_args(argv)


def _params(args: argparse.Namespace, xlc: Any) -> Any:
    p = xlc.CommonParams()
    p.model.path = args.model
    p.hostnames = [args.host]
    p.port = args.port
    p.n_parallel = args.parallel
    p.n_ctx = args.ctx
    p.kv_unified = True  # one KV buffer of --ctx tokens that every slot draws from
    p.cpuparams.n_threads = args.threads
    p.cpuparams_batch.n_threads = args.threads
    p.n_threads_http = args.http_threads
    p.cont_batching = True
    p.endpoint_metrics = True
    p.endpoint_slots = True
    p.endpoint_props = True
    p.use_jinja = True  # Jinja templates: what parses OpenAI tool calls out of the text
    p.sampling.seed = args.seed
    if args.alias:
        p.model_alias = {args.alias}
    if args.chat_template_file:
        with open(args.chat_template_file, encoding="utf-8") as f:
            p.chat_template = f.read()
    return p


def main(argv: list[str] | None = None) -> int:
    """Start the server and block until told to stop."""
    args = _args(argv)
    started = time.monotonic()
    import xllamacpp as xlc  # type: ignore[import-not-found]  # the cache venv has it

    server = xlc.Server(_params(args, xlc))
    print(
        f"xllamacpp {xlc.__version__}: llama-server on {server.listening_address} "
        f"pid={os.getpid()} loaded in {time.monotonic() - started:.2f} s",
        flush=True,
    )
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    parent = os.getppid()
    while not stop.wait(0.5):
        if args.exit_with_parent and os.getppid() != parent:
            print("parent process gone: stopping", flush=True)
            break
    # The embedded server's threads would keep the interpreter alive: leave at once.
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
