"""``movietui demo``: a real MovieLens user's ratings replayed into models that never saw them.

``--report`` prints the curve (hits in the top 20 against the ratings so far, beside the most
popular list) as a table, headless. Without it the app opens on the demo screen (also the
palette's "Demo"); ``--text`` runs the replay as text, one line per rating (``--speed`` ratings
a second, default 1; Ctrl+C stops).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from typing import TYPE_CHECKING

from movietui.errors import MovietuiError

if TYPE_CHECKING:
    from movietui.service import Service


class DemoOptionError(MovietuiError):
    """A demo option out of range."""


def demo_hypers(args: argparse.Namespace):
    """The two models' hyperparameters: defaults, or ``--factors``/``--epochs`` for both."""
    from movietui.service import Hyper, RankHyper

    hyper, rank = Hyper(), RankHyper()
    if args.factors is not None:
        hyper, rank = replace(hyper, factors=args.factors), replace(rank, factors=args.factors)
    if args.epochs is not None:
        hyper, rank = replace(hyper, epochs=args.epochs), replace(rank, epochs=args.epochs)
    return hyper.validate(), rank.validate()


def check_options(args: argparse.Namespace) -> None:
    if not args.speed > 0:
        raise DemoOptionError(f"--speed {args.speed} must be above 0 (ratings a second)")
    if args.steps is not None and args.steps < 0:
        raise DemoOptionError(f"--steps {args.steps} must not be negative")
    if args.every < 1:
        raise DemoOptionError(f"--every {args.every} must be 1 or more")


def cmd_demo(args: argparse.Namespace, service: Service) -> int:
    check_options(args)
    if not (args.report or args.text):
        return open_app(args, service)
    from movietui.service import format_curve

    hyper, rank_hyper = demo_hypers(args)
    print(
        "training both models without the demo user (nothing is saved)...",
        file=sys.stderr,
        flush=True,
    )
    demo = service.demo(args.user, args.seed, hyper, rank_hyper)
    if args.report:
        print(format_curve(demo.run(args.steps), every=args.every))
        return 0
    return ticker(demo, args.steps, args.speed)


def open_app(args: argparse.Namespace, service: Service) -> int:
    """The app, straight on the demo screen (it trains the demo's models itself)."""
    from movietui.tui.app import run_app
    from movietui.tui.screens.demo import DemoOptions

    hyper, rank_hyper = demo_hypers(args)
    service.close()  # the app opens the home itself
    return run_app(
        home=args.home,
        demo=DemoOptions(args.user, args.seed, args.speed, hyper, rank_hyper),
    )


def ticker(demo, steps: int | None, speed: float) -> int:
    """The replay as it happens, one line per rating (Ctrl+C stops it)."""
    import time

    left = demo.total if steps is None else min(steps, demo.total)
    try:
        for _ in range(left):
            started = time.perf_counter()
            frame = demo.step()
            assert frame.last is not None
            _, title, stars = frame.last
            point = frame.curve[-1]
            lit = ", ".join(p.title for p in frame.for_you if p.hit)[:80]
            print(
                f"{frame.step:>4}/{frame.total} {stars:3.1f}★ {title[:40]:<40} "
                f"for you {point.hits:>2}/20  popular {point.popular_hits:>2}/20  {lit}",
                flush=True,
            )
            time.sleep(max(0.0, 1.0 / speed - (time.perf_counter() - started)))
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "demo",
        help="replay a real MovieLens user's ratings into a model that never saw them",
        description="Pick a real user from the imported catalog, train without them, and replay "
        "their ratings in time order: For you updating, the films they went on to like lighting up, "
        "a curve of hits in the top 20 beside the most popular films, the taste map marker moving.",
    )
    p.add_argument(
        "--user", type=int, default=None, help="MovieLens userId (default: picked by --seed)"
    )
    p.add_argument("--seed", type=int, default=0, help="picks the user when --user is not given")
    p.add_argument("--report", action="store_true", help="print the curve as a table, no app")
    p.add_argument("--text", action="store_true", help="the replay as text, one line a rating")
    p.add_argument("--steps", type=int, default=None, help="ratings to replay (default: all)")
    p.add_argument("--every", type=int, default=1, help="--report: a row every N ratings after 10")
    p.add_argument(
        "--speed", type=float, default=1.0, help="ratings a second in the app (default 1)"
    )
    p.add_argument(
        "--factors", type=int, default=None, help="both models' factors (default: tuned)"
    )
    p.add_argument("--epochs", type=int, default=None, help="both models' maximum epochs")
    p.set_defaults(func=cmd_demo)
