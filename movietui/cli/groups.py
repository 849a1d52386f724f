"""Movie night and lists on the command line (issue 15).

``movietui recommend --profile a --profile b [--strategy S]``: one list for the group, each
film with every member's predicted stars and why. ``--from watchlist`` ranks the members'
watchlists instead (one profile is enough), ``--from NAME`` a stored list, ``--from FILE`` a
list file (matched like a ratings import; ``--partial`` keeps the matched films). ``movietui
lists`` imports, shows, renames and deletes stored lists. ``recommend`` (cli/headless.py) hands over here
when it is given two or more profiles, ``--strategy`` or ``--from``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the service pulls in numba; keep --help instant
    from movietui.service import GroupList, Service

JSON_VERSION = 1
GROUP_TAG = "movietui-group-recommendations"


def wants_group(args: argparse.Namespace) -> bool:
    """Whether ``recommend`` was asked for a group list or a list of one's own."""
    return len(args.profile or ()) > 1 or bool(args.strategy) or bool(args.source)


def cmd_group(args: argparse.Namespace, service: Service, filters) -> int:
    from movietui.errors import MovietuiError

    names = list(args.profile or ())
    if not names:
        current = service.current_profile
        if current is None:
            raise MovietuiError("no profile yet; create one with `movietui profiles create NAME`")
        names = [current.name]
    if args.output:
        raise MovietuiError(
            "-o is for one profile's list; print a group list with --format json > FILE"
        )
    if args.format == "csv":
        raise MovietuiError("a group list prints as a table or JSON; use --format json")
    if args.source == "watchlist":
        result = service.watchlist_picks(names, args.n, args.strategy, filters)
    elif args.source:
        from movietui.service import ListMatchError

        try:
            result = service.list_picks(
                names, args.source, args.n, args.strategy, filters, partial=args.partial
            )
        except ListMatchError as error:
            print(error.report.summary(), file=sys.stderr)
            raise
    else:
        result = service.group_picks(names, args.n, args.strategy, filters)
    if args.format == "json":
        print(json.dumps(group_document(result), ensure_ascii=False, indent=2))
    else:
        print_group(result)
    return 0


def group_document(result: GroupList) -> dict:
    return {
        "format": GROUP_TAG,
        "version": JSON_VERSION,
        "members": [p.name for p in result.members],
        "strategy": result.strategy,
        "source": result.source,
        "generated_at": time.time(),
        "notes": list(result.notes),
        "films": [
            {
                "rank": rank,
                "movie_id": pick.movie.movie_id,
                "title": pick.movie.title,
                "year": pick.movie.year,
                "genres": list(pick.movie.genres),
                "mean_rating": None
                if pick.movie.mean_rating is None
                else round(pick.movie.mean_rating, 3),
                "rating_count": pick.movie.rating_count,
                "members": [
                    {
                        "profile": m.profile,
                        "predicted": round(m.predicted, 3),
                        "because": list(m.because),
                    }
                    for m in pick.members
                ],
            }
            for rank, pick in enumerate(result.picks, start=1)
        ],
    }


def _title(title: str, year: int | None, width: int) -> str:
    text = title + (f" ({year})" if year else "")
    return text if len(text) <= width else text[: width - 1] + "…"


def print_group(result: GroupList) -> None:
    from movietui.service.groups import STRATEGY_NAMES

    names = [p.name for p in result.members]
    who = " and ".join(repr(n) for n in names)
    what = "their watchlist" if result.source == "watchlist" else f"the {result.source}"
    if len(names) == 1:
        print(f"{len(result.picks)} films from {what} for {who}")
    else:
        print(
            f"Movie night for {who}: {len(result.picks)} films from {what}, "
            f"strategy {STRATEGY_NAMES[result.strategy]}"
        )
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    cols = [n[:8] for n in names]
    print(f"{'#':>3}  {'title':<52} " + " ".join(f"{c:>8}" for c in cols))
    for rank, pick in enumerate(result.picks, start=1):
        stars = " ".join(f"{m.predicted:8.2f}" for m in pick.members)
        print(f"{rank:>3}  {_title(pick.movie.title, pick.movie.year, 52):<52} {stars}")
        for m in pick.members:
            if m.because:
                print(f"{'':>5}{m.profile}: because you liked {', '.join(m.because)}")


def add_filter_arguments(p: argparse.ArgumentParser) -> None:
    """The filters people ask for, beside recommend's --genre and --since."""
    p.add_argument("--until", type=int, metavar="YEAR", help="only films up to this year")
    p.add_argument(
        "--decade", type=int, metavar="YEAR", help="only films of this decade (1990 or 1994: 1990s)"
    )
    p.add_argument(
        "--exclude-genre",
        action="append",
        metavar="GENRE",
        help="leave out films with this genre (repeatable)",
    )
    p.add_argument("--min-mean", metavar="STARS", help="only films the community rates this high")
    p.add_argument(
        "--min-count", type=int, default=0, metavar="N", help="only films with N ratings or more"
    )


def filters_from(args: argparse.Namespace):
    """The Filters record (store/filters.py) of recommend's arguments."""
    from movietui.service import Filters

    year_min, year_max = args.since, args.until
    if args.decade is not None:
        start = args.decade // 10 * 10
        year_min = start if year_min is None else max(year_min, start)
        year_max = start + 9 if year_max is None else min(year_max, start + 9)
    return Filters(
        genres=tuple(args.genre or ()),
        year_min=year_min,
        year_max=year_max,
        min_count=args.min_count,
        exclude_genres=tuple(args.exclude_genre or ()),
        min_mean=args.min_mean,
    )


# --- lists ------------------------------------------------------------------------------
def cmd_lists(args: argparse.Namespace, service: Service) -> int:
    action = args.action
    if action == "import":
        report = service.import_list(
            args.file, name=args.name, partial=args.partial, dry_run=args.dry_run
        )
        print(report.summary())
        return 1 if report.blocked else 0
    if action == "show":
        films = service.list_films(args.name)
        if not films:
            print(f"list {args.name!r} is empty")
        for k, view in enumerate(films, start=1):
            print(f"{k:>4}  {_title(view.title, view.year, 60):<60} id {view.movie_id}")
        return 0
    if action == "rename":
        service.rename_list(args.name, args.new_name)
        print(f"renamed list {args.name!r} to {' '.join(args.new_name.split())!r}")
        return 0
    if action == "delete":
        service.delete_list(args.name)
        print(f"deleted list {args.name!r}")
        return 0
    stored = service.film_lists()
    if args.format == "json":
        print(
            json.dumps(
                {
                    "format": "movietui-lists",
                    "version": JSON_VERSION,
                    "lists": [
                        {"name": f.name, "films": f.n_films, "created_at": f.created_at}
                        for f in stored
                    ],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
        return 0
    if not stored:
        print("no lists yet; import one: `movietui lists import FILE`")
    for f in stored:
        created = time.strftime("%Y-%m-%d", time.localtime(f.created_at))
        print(f"{f.name:<40} {f.n_films:>6,} films  imported {created}")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "lists", help="film lists to rank: import a Letterboxd list or CSV, rename, delete"
    )
    p.add_argument("--format", choices=("table", "json"), default="table")
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    sub = actions.add_parser("import", help="store a Letterboxd list export or a CSV of titles/ids")
    sub.add_argument("file", help="the list's .csv (Letterboxd: lists/NAME.csv of the export)")
    sub.add_argument("--name", help="store it under this name (default: the list's own name)")
    sub.add_argument("--dry-run", action="store_true", help="show what would happen, write nothing")
    sub.add_argument(
        "--partial", action="store_true", help="keep the matched films even if some did not match"
    )
    sub = actions.add_parser("show", help="the films of a list, in its order")
    sub.add_argument("name", metavar="NAME")
    sub = actions.add_parser("rename", help="give a list another name")
    sub.add_argument("name", metavar="NAME")
    sub.add_argument("new_name", metavar="NEW_NAME")
    sub = actions.add_parser("delete", help="delete a list (the films stay in the catalog)")
    sub.add_argument("name", metavar="NAME")
    for sub in actions.choices.values():
        sub.add_argument(
            "--home", metavar="PATH", default=argparse.SUPPRESS, help=argparse.SUPPRESS
        )
    p.set_defaults(func=cmd_lists)
