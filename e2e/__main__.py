"""``python -m e2e``: set up, start, stop and list the e2e suite's real llama.cpp servers.

python -m e2e setup [--qwen] [--tiny]     install into $PAWBENCH_E2E_HOME (idempotent)
python -m e2e start smollm2 [--port P]    start in the background, print the base URL
python -m e2e stop [--port P | --all]     stop what `start` started, by its recorded PID
python -m e2e status                      installed models and running servers
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .install import MODELS, SetupError, home, read_status, setup
from .server import RealServer, ServerConfig, ServerError, free_port, is_launcher, stop_pid


def _pidfiles(root: Path) -> list[Path]:
    return sorted((root / "run").glob("server-*.pid"))


def cmd_setup(args: argparse.Namespace) -> int:
    """Install the server and models."""
    keys = ["smollm2"] + (["qwen"] if args.qwen else []) + (["tiny"] if args.tiny else [])
    try:
        setup(keys)
    except SetupError as exc:
        print(f"set-up failed: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_start(args: argparse.Namespace) -> int:
    """Start a server in the background and record its PID."""
    root = home()
    if args.model in MODELS and not read_status(root).get(args.model):
        print(f"{args.model} is not installed: run `python -m e2e setup` first", file=sys.stderr)
        return 1
    port = args.port or free_port()
    config = ServerConfig(model=args.model, parallel=args.parallel, ctx=args.ctx)
    try:
        server = RealServer.start(
            config, root=root, port=port, exit_with_parent=False, detached=True
        )
    except ServerError as exc:
        print(exc, file=sys.stderr)
        return 1
    (root / "run" / f"server-{port}.pid").write_text(f"{server.pid}\n")
    print(f"{server.base_url}  model={server.alias}  pid={server.pid}  log={server.log}")
    return 0


def cmd_stop(args: argparse.Namespace) -> int:
    """Stop servers by their recorded PIDs."""
    root = home()
    files = _pidfiles(root) if args.all else [root / "run" / f"server-{args.port}.pid"]
    for pidfile in files:
        if not pidfile.exists():
            print(f"no server recorded in {pidfile}")
            continue
        pid = int(pidfile.read_text().strip())
        if is_launcher(pid):
            stop_pid(pid)
            print(f"stopped pid {pid}")
        else:
            print(f"pid {pid} is no longer our server")
        pidfile.unlink()
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """Print installed models and running servers."""
    root = home()
    print(f"cache: {root}")
    for key, state in read_status(root).items():
        print(f"  {key}: {'ok' if state.ok else 'UNAVAILABLE: ' + state.reason}  {state.path}")
    for pidfile in _pidfiles(root):
        pid = int(pidfile.read_text().strip())
        port = pidfile.stem.removeprefix("server-")
        alive = "running" if is_launcher(pid) else "gone"
        print(f"  server http://127.0.0.1:{port} pid {pid}: {alive}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run a subcommand."""
    parser = argparse.ArgumentParser(prog="python -m e2e", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("setup", help="install the server and models")
    p.add_argument("--qwen", action="store_true", help="also Qwen2.5-Coder-0.5B (~480 MB)")
    p.add_argument("--tiny", action="store_true", help="also the tiny random-weight model")
    p.set_defaults(run=cmd_setup)
    p = sub.add_parser("start", help="start a server in the background")
    p.add_argument("model", help=f"{', '.join(MODELS)} or a GGUF file")
    p.add_argument("--port", type=int)
    p.add_argument("--parallel", type=int, default=8)
    p.add_argument("--ctx", type=int, default=8192)
    p.set_defaults(run=cmd_start)
    p = sub.add_parser("stop", help="stop servers started by `start`")
    p.add_argument("--port", type=int)
    p.add_argument("--all", action="store_true")
    p.set_defaults(run=cmd_stop)
    sub.add_parser("status", help="installed models, running servers").set_defaults(run=cmd_status)
    args = parser.parse_args(argv)
    if args.command == "stop" and not (args.all or args.port):
        parser.error("stop: give --port P or --all")
    code: int = args.run(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
