"""``movietui serve``: the app in a browser through textual-serve (for demos).

Each browser tab starts its own ``python -m movietui`` process on the same home (SQLite in WAL
mode keeps them consistent). There is no authentication: whoever reaches the port drives the
app, its profiles and its files, so it binds to 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import argparse
import shlex
import sys

from movietui.errors import MovietuiError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
WARNING = (
    "movietui serve has no authentication: anyone who can reach this address can use the app "
    "and its data. Keep it on 127.0.0.1, or behind a proxy that authenticates."
)


class ServeError(MovietuiError):
    """A bad address or port for ``movietui serve``."""


def app_command(home: str | None) -> str:
    """The shell command textual-serve runs for each browser tab."""
    argv = [sys.executable, "-m", "movietui"]
    if home:
        argv += ["--home", home]
    return shlex.join(argv)


def check_port(port: int) -> int:
    if not 1 <= port <= 65535:
        raise ServeError(f"--port {port} is not a TCP port; choose one from 1 to 65535")
    return port


def cmd_serve(args: argparse.Namespace, service: None) -> int:
    from textual_serve.server import Server

    port = check_port(args.port)
    server = Server(
        app_command(args.home),
        host=args.host,
        port=port,
        title="movietui",
        public_url=args.public_url,
    )
    print(f"Serving movietui at {server.public_url} (Ctrl+C stops it)", flush=True)
    print(WARNING, flush=True)
    if args.host not in (DEFAULT_HOST, "localhost", "::1"):
        print(f"warning: bound to {args.host}, not only this machine", file=sys.stderr, flush=True)
    try:
        server.serve()
    except OSError as exc:  # port in use, address not on this machine
        raise ServeError(
            f"cannot listen on {args.host}:{port} ({exc.strerror or exc}); "
            "choose another --port or --host"
        ) from None
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "serve",
        help="the app in a web browser, for demos (no authentication: keep it on 127.0.0.1)",
        description="Serve the app to web browsers through textual-serve. " + WARNING,
    )
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}")
    p.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}: this machine only)",
    )
    p.add_argument(
        "--public-url",
        default=None,
        metavar="URL",
        help="the URL browsers use, when behind a proxy (default http://HOST:PORT)",
    )
    p.set_defaults(func=cmd_serve, needs_service=False)
