"""Command line: ``movietui`` opens the app; sub-commands serve scripts and quick use.

Each command module exposes ``register(subparsers)`` and sets ``func=handler`` with
``handler(args, service) -> int``. ``main`` opens the Service only for commands that
need it (``locate`` must work even when the database is broken) and turns every
MovietuiError into one line on stderr with exit status 1, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from movietui import __version__
from movietui.errors import MovietuiError

# Modules that add sub-commands, in the order they appear in --help.
COMMAND_MODULES = (
    "movietui.cli.core",
    "movietui.cli.headless",
    "movietui.cli.groups",
    "movietui.cli.models",
    "movietui.cli.demo",
    "movietui.cli.serve",
)


def _command_modules() -> list:
    import importlib

    return [importlib.import_module(name) for name in COMMAND_MODULES]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="movietui",
        description="A terminal movie recommender that learns from your ratings, live. "
        "Without a command it opens the app.",
    )
    parser.add_argument(
        "--home",
        metavar="PATH",
        default=None,
        help="folder for the database and downloads (default: $MOVIETUI_HOME or the user data dir)",
    )
    parser.add_argument(
        "--dataset",
        metavar="PATH",
        default=None,
        help="import this MovieLens zip or folder when the app starts (progress on screen)",
    )
    parser.add_argument("--version", action="version", version=f"movietui {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _command_modules():
        module.register(commands)
    # Accept --home after the command too ("movietui info --home X"); SUPPRESS keeps the global value.
    for sub in commands.choices.values():
        if not any("--home" in action.option_strings for action in sub._actions):
            sub.add_argument(
                "--home", metavar="PATH", default=argparse.SUPPRESS, help=argparse.SUPPRESS
            )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        handler = getattr(args, "func", None)
        if handler is None:
            from movietui.tui.app import run_app

            return run_app(home=args.home, dataset=args.dataset)
        if not getattr(args, "needs_service", True):
            return handler(args, None)
        from movietui.service import Service

        service = Service.open(args.home)
        try:
            return handler(args, service)
        finally:
            service.close()
    except MovietuiError as exc:
        print(f"movietui: error: {_one_line(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nmovietui: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `movietui recommend | head`: the reader left, nothing to report
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the flush at exit does not fail again
        return 0


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__
