"""``movietui models``: the model history (every saved model of both kinds), which one of each
kind is current, and which kind predicts the stars.

movietui models [--kind mf|neural] [--format json]   list them, newest first (* = current)
movietui models use ID                               make saved model ID current again
movietui models use mf|neural                        make that kind the one that predicts stars
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from movietui.cli.core import STAR_NAMES
from movietui.errors import MovietuiError

if TYPE_CHECKING:
    from movietui.service import Service

KIND_NAMES = {"mf": "MF", "neural": "neural"}


def table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[k]) for row in rows) for k in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def cmd_models(args: argparse.Namespace, service: Service) -> int:
    if args.action == "use":
        return _use(args.target, service)
    history = service.model_history(args.kind)
    if args.format == "json":
        print(
            json.dumps(
                {
                    "format": "movietui-models",
                    "version": 1,
                    "star_model": service.star_model(),
                    "models": [r.to_dict() for r in history],
                },
                indent=2,
            )
        )
        return 0
    if not history:
        print("no saved model yet: run `movietui train` (or `movietui train --model neural`)")
        return 0
    from movietui.service import HISTORY_COLUMNS

    print(table([HISTORY_COLUMNS, *(r.cells() for r in history)]))
    print("* = the current model of its kind; `movietui models use ID` makes another one current")
    if service.load_warning:
        print(f"warning: {service.load_warning}")
    print(STAR_NAMES[service.star_model()])
    return 0


def _use(target: str, service: Service) -> int:
    if target in KIND_NAMES:
        service.set_star_model(target)
        print(STAR_NAMES[service.star_model()])
        return 0
    try:
        model_id = int(target.lstrip("#"))
    except ValueError:
        raise MovietuiError(
            f"{target!r} is neither a model id nor mf/neural; list the ids with `movietui models`"
        ) from None
    row = service.use_model(model_id)
    val = "n/a" if row.val_rmse is None else f"{row.val_rmse:.4f}"
    what = "neural model" if row.kind == "neural" else "model"
    print(f"{what} #{row.model_id} is now current (validation RMSE {val})")
    if row.kind == "neural" and service.star_model() != "neural":
        print("stars still come from matrix factorisation: `movietui models use neural` to switch")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "models",
        help="the model history: every saved model, which is current; "
        "`models use ID` makes one current, `models use mf|neural` picks who predicts stars",
    )
    p.set_defaults(func=cmd_models, action="list", kind=None, format="table")
    p.add_argument("--kind", choices=("mf", "neural"), help="only the models of this kind")
    p.add_argument("--format", choices=("table", "json"), default="table")
    sub = p.add_subparsers(dest="action", metavar="ACTION")
    use = sub.add_parser(
        "use",
        help="ID: make saved model ID current again (loaded and used at once); "
        "mf|neural: make that kind the model that predicts the stars",
    )
    use.add_argument("target", metavar="ID|mf|neural")
