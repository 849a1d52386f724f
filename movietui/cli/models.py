"""``movietui models``: the saved models of both kinds, and which one predicts the stars.

movietui models                  list them (newest first; * marks each kind's current one)
movietui models use mf|neural    make that kind's current model the one that predicts stars
"""

from __future__ import annotations

import argparse
import time
from typing import TYPE_CHECKING

from movietui.cli.core import STAR_NAMES

if TYPE_CHECKING:
    from movietui.service import Service

KIND_NAMES = {"mf": "matrix factorisation", "neural": "neural"}


def cmd_models(args: argparse.Namespace, service: Service) -> int:
    if args.action == "use":
        service.set_star_model(args.kind)
        print(STAR_NAMES[service.star_model()])
        return 0
    saved = service.saved_models()
    if not saved:
        print("no saved model yet: run `movietui train` (or `movietui train --model neural`)")
        return 0
    for m in saved:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(m.created_at))
        mark = "*" if m.is_current else " "
        print(f"{mark} #{m.model_id:<5} {KIND_NAMES.get(m.kind, m.kind):<22} {when}")
    if service.load_warning:
        print(f"warning: {service.load_warning}")
    print(STAR_NAMES[service.star_model()])
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "models", help="saved models of both kinds; `models use mf|neural` picks who predicts stars"
    )
    p.set_defaults(func=cmd_models, action="list")
    sub = p.add_subparsers(dest="action", metavar="ACTION")
    use = sub.add_parser("use", help="make mf or neural the model that predicts the stars")
    use.add_argument("kind", choices=("mf", "neural"))
