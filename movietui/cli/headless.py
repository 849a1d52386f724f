"""Headless commands for scripts and quick use: recommend, similar, rate, mark, profiles, ratings.

They run on the same Service as the app. ``--format json`` output is stable and documented
in docs/cli-json.md; tables are for people and may change.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from movietui.cli.groups import add_filter_arguments, cmd_group, filters_from, wants_group

if TYPE_CHECKING:  # the service pulls in numba; keep --help instant
    from movietui.service import MovieView, Service

JSON_VERSION = 1
RATINGS_EXPORT_FORMATS = {
    "letterboxd": "letterboxd-csv",
    "movielens": "movielens-csv",
    "json": "json",
}


def _use_profile(service: Service, name: str | None) -> None:
    """Act as profile ``name`` for this command only: the app's remembered profile is unchanged."""
    if name is not None:
        service.use_profile(service.profile_named(name).id)


def _resolve(service: Service, query: str, year: int | None) -> MovieView | None:
    """The film a title query names; prints the candidates and returns None when ambiguous."""
    from movietui.service import AmbiguousTitleError

    try:
        return service.resolve_title(query, year)
    except AmbiguousTitleError as error:
        print(f"movietui: error: {error}", file=sys.stderr)
        for view in error.candidates:
            print(
                f"  {_title(view):<60} id {view.movie_id:<7} {view.rating_count:>6,} ratings",
                file=sys.stderr,
            )
        return None


def _title(view: MovieView) -> str:
    return view.title + (f" ({view.year})" if view.year else "")


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _dump(document: object) -> None:
    print(json.dumps(document, ensure_ascii=False, indent=2))


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


# --- recommend ----------------------------------------------------------------------
def cmd_recommend(args: argparse.Namespace, service: Service) -> int:
    filters = filters_from(args)
    if wants_group(args):  # movie night or a list of one's own (cli/groups.py)
        return cmd_group(args, service, filters)
    _use_profile(service, args.profile[0] if args.profile else None)
    recs = service.recommendations(n=args.n, filters=filters)
    if args.output:
        fmt = (
            args.format
            if args.format != "table"
            else ("json" if args.output.endswith(".json") else "csv")
        )
        count = service.save_recommendations(args.output, fmt, recs)  # the list computed above
        print(f"wrote {count} recommendations to {args.output} ({fmt})", file=sys.stderr)
        return 0
    if args.format in ("csv", "json"):
        sys.stdout.write(service.render_recommendations(recs, args.format))
        return 0
    profile = service.current_profile
    model = service.model_info()
    who = (
        f"profile {profile.name!r} ({_plural(profile.n_ratings, 'rating')})"
        if profile
        else "no profile"
    )
    personal = model is not None and profile is not None and profile.n_ratings > 0
    basis = (
        "from the model"
        if personal
        else "by popularity (rate films and train a model to personalise)"
    )
    print(f"{len(recs)} recommendations for {who}, {basis}")
    print(f"{'#':>3}  {'score':>5}  {'title':<56} genres")
    for rank, rec in enumerate(recs, start=1):
        print(
            f"{rank:>3}  {rec.predicted:5.2f}  {_cut(_title(rec.movie), 56):<56} "
            f"{_cut('|'.join(rec.movie.genres), 40)}"
        )
        if rec.because:
            print(f"{'':>12}because you liked {', '.join(rec.because)}")
    return 0


# --- similar ------------------------------------------------------------------------
def cmd_similar(args: argparse.Namespace, service: Service) -> int:
    movie = _resolve(service, args.title, args.year)
    if movie is None:
        return 1
    if service.model_info() is None:
        print("movietui: error: no model yet; run `movietui train` first", file=sys.stderr)
        return 1
    similar = service.similar(movie.movie_id, n=args.n)
    if args.format == "json":
        _dump(
            {
                "format": "movietui-similar",
                "version": JSON_VERSION,
                "movie": {"movie_id": movie.movie_id, "title": movie.title, "year": movie.year},
                "similar": [
                    {
                        "rank": rank,
                        "movie_id": s.movie.movie_id,
                        "title": s.movie.title,
                        "year": s.movie.year,
                        "genres": list(s.movie.genres),
                        "score": round(s.score, 4),
                        "rating_count": s.movie.rating_count,
                    }
                    for rank, s in enumerate(similar, start=1)
                ],
            }
        )
        return 0
    print(f"films like {_title(movie)}:")
    for rank, item in enumerate(similar, start=1):
        print(
            f"{rank:>3}  {item.score:5.2f}  {_cut(_title(item.movie), 56):<56} "
            f"{_cut('|'.join(item.movie.genres), 40)}"
        )
    if not similar:
        print("  (none: the film is newer than the model; run `movietui train`)")
    return 0


# --- rate ---------------------------------------------------------------------------
def cmd_rate(args: argparse.Namespace, service: Service) -> int:
    movie = _resolve(service, args.title, args.year)
    if movie is None:
        return 1
    _use_profile(service, args.profile)
    profile = service.current_profile
    result = service.rate(movie.movie_id, args.rating)
    was = f" (was {result.previous:g})" if result.previous is not None else ""
    who = f" for {profile.name!r}" if profile else ""
    print(f"rated {_title(movie)}: {result.rating:g}{was}{who}")
    return 0


# --- mark ---------------------------------------------------------------------------
MARK_WORDS = {"not_interested": "not interested", "seen": "seen, no rating"}


def cmd_mark(args: argparse.Namespace, service: Service) -> int:
    movie = _resolve(service, args.title, args.year)
    if movie is None:
        return 1
    _use_profile(service, args.profile)
    profile = service.current_profile
    if args.kind == "clear":
        result = service.clear_mark(movie.movie_id)
    elif args.kind == "not_interested":
        result = service.mark_not_interested(movie.movie_id)
    else:
        result = service.mark_seen(movie.movie_id)
    who = f" for {profile.name!r}" if profile else ""
    if args.kind == "clear":
        was = MARK_WORDS.get(result.previous_mark or "")
        print(
            f"cleared {_title(movie)}{who} (was {was})"
            if was
            else f"{_title(movie)} had no mark{who}"
        )
        return 0
    dropped = f" (your {result.previous:g} rating removed)" if result.previous is not None else ""
    print(f"{MARK_WORDS[args.kind]}: {_title(movie)}{who}{dropped}")
    return 0


# --- profiles -----------------------------------------------------------------------
def _profile_id(service: Service, name: str) -> int:
    return service.profile_named(name).id


def cmd_profiles(args: argparse.Namespace, service: Service) -> int:
    action = getattr(args, "action", None)
    if action == "create":
        profile = service.create_profile(args.name)
        print(f"created profile {profile.name!r} (now current)")
        return 0
    if action == "delete":
        service.delete_profile(_profile_id(service, args.name))
        print(f"deleted profile {args.name!r} with its ratings and watchlist")
        return 0
    if action == "use":
        profile = service.switch_profile(_profile_id(service, args.name))
        print(f"current profile: {profile.name!r}")
        return 0
    current = service.current_profile
    profiles = service.profiles()
    if args.format == "json":
        _dump(
            {
                "format": "movietui-profiles",
                "version": JSON_VERSION,
                "current": current.name if current else None,
                "profiles": [
                    {
                        "name": p.name,
                        "ratings": p.n_ratings,
                        "created_at": p.created_at,
                        "current": current is not None and p.id == current.id,
                    }
                    for p in profiles
                ],
            }
        )
        return 0
    if not profiles:
        print("no profiles yet; create one: `movietui profiles create NAME`")
    for p in profiles:
        mark = "*" if current is not None and p.id == current.id else " "
        created = time.strftime("%Y-%m-%d", time.localtime(p.created_at))
        print(f"{mark} {p.name:<24} {p.n_ratings:>6,} ratings  created {created}")
    return 0


# --- ratings import / export ----------------------------------------------------------
DEFAULT_PROFILE = "me"


def cmd_ratings_import(args: argparse.Namespace, service: Service) -> int:
    """``-`` reads the export from standard input; with no profile yet one is created."""
    data = sys.stdin.buffer.read() if args.file == "-" else None
    if args.profile is None and service.current_profile is None and not args.dry_run:
        service.create_profile(DEFAULT_PROFILE)
        print(f"no profile yet: created {DEFAULT_PROFILE!r} for these ratings", file=sys.stderr)
    report = service.import_ratings(
        "standard input" if data is not None else args.file,
        profile=args.profile,
        dry_run=args.dry_run,
        partial=args.partial,
        data=data,
    )
    print(report.summary())
    return 1 if report.blocked else 0


def cmd_ratings_export(args: argparse.Namespace, service: Service) -> int:
    """``-`` writes the export to standard output (the count then goes to standard error)."""
    name = args.format or ("json" if Path(args.file).suffix.lower() == ".json" else "movielens")
    fmt = RATINGS_EXPORT_FORMATS[name]
    if args.file == "-":
        text, count = service.render_ratings(fmt, profile=args.profile)
        sys.stdout.write(text)
        print(f"wrote {_plural(count, 'rating')} to standard output ({name})", file=sys.stderr)
        return 0
    count = service.export_ratings(args.file, fmt, profile=args.profile)
    print(f"wrote {_plural(count, 'rating')} to {args.file} ({name})")
    return 0


def _need_action(args: argparse.Namespace, service: Service) -> int:
    args.parser.print_usage(sys.stderr)
    print(
        f"movietui {args.parser.prog.split()[-1]}: error: choose import or export", file=sys.stderr
    )
    return 2


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= 10_000:
        raise argparse.ArgumentTypeError(f"{value} is outside 1..10000")
    return value


def _accept_home(parser: argparse.ArgumentParser) -> None:
    """Allow --home after a nested command too, like the top-level commands (main adds those)."""
    parser.add_argument("--home", metavar="PATH", default=argparse.SUPPRESS, help=argparse.SUPPRESS)


def register(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "recommend", help="top picks for a profile (popular films without ratings)"
    )
    p.add_argument(
        "--profile",
        metavar="NAME",
        action="append",
        help="profile to recommend for (default: the current one); "
        "twice or more: one list for the group (movie night)",
    )
    p.add_argument(
        "--strategy",
        choices=("turns", "shared", "average", "least_misery"),
        help="how a group's list is made (default: the one last picked in the app, else turns)",
    )
    p.add_argument(
        "--from",
        dest="source",
        metavar="watchlist|LIST|FILE",
        help="rank the members' watchlist, a stored list (`movietui lists`) or a list file "
        "instead of the whole catalog",
    )
    p.add_argument(
        "--partial",
        action="store_true",
        help="with --from FILE: rank the matched films even if some did not match",
    )
    p.add_argument("-n", type=_positive, default=20, help="how many (default 20)")
    p.add_argument(
        "--genre", action="append", metavar="GENRE", help="only films with this genre (repeatable)"
    )
    p.add_argument("--since", type=int, metavar="YEAR", help="only films from this year on")
    add_filter_arguments(p)
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument(
        "-o", "--output", metavar="FILE", help="write csv/json to FILE instead of printing"
    )
    p.set_defaults(func=cmd_recommend)

    p = commands.add_parser("similar", help="films like TITLE (by the model's item factors)")
    p.add_argument("title", help='part of the title, e.g. "toy story"')
    p.add_argument("-n", type=_positive, default=10, help="how many (default 10)")
    p.add_argument("--year", type=int, help="the film's year, when several share the title")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=cmd_similar)

    p = commands.add_parser("rate", help="rate a film 0.5..5 (half stars) for a profile")
    p.add_argument("title", help='part of the title, e.g. "toy story"')
    p.add_argument("rating", help="0.5 to 5 in half stars")
    p.add_argument("--year", type=int, help="the film's year, when several share the title")
    p.add_argument(
        "--profile", metavar="NAME", help="profile to rate for (default: the current one)"
    )
    p.set_defaults(func=cmd_rate)

    p = commands.add_parser(
        "mark", help="mark a film 'not interested' or 'seen' (no stars), or clear the mark"
    )
    p.add_argument("title", help='part of the title, e.g. "toy story"')
    kinds = p.add_mutually_exclusive_group(required=True)
    kinds.add_argument(
        "--not-interested",
        dest="kind",
        action="store_const",
        const="not_interested",
        help="hide it from recommendations (a rating of it is removed)",
    )
    kinds.add_argument(
        "--seen",
        dest="kind",
        action="store_const",
        const="seen",
        help="seen it, no rating: hidden from recommendations, still in browse",
    )
    kinds.add_argument(
        "--clear", dest="kind", action="store_const", const="clear", help="remove the mark"
    )
    p.add_argument("--year", type=int, help="the film's year, when several share the title")
    p.add_argument(
        "--profile", metavar="NAME", help="profile to mark for (default: the current one)"
    )
    p.set_defaults(func=cmd_mark)

    p = commands.add_parser("profiles", help="list profiles; create, delete or switch to one")
    p.add_argument("--format", choices=("table", "json"), default="table")
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    for action, text in (
        ("create", "create a profile and make it current"),
        ("delete", "delete a profile with its ratings and watchlist"),
        ("use", "make a profile current"),
    ):
        sub = actions.add_parser(action, help=text)
        sub.add_argument("name", metavar="NAME")
        _accept_home(sub)
    p.set_defaults(func=cmd_profiles)

    p = commands.add_parser(
        "ratings", help="import ratings from Letterboxd/IMDb/MovieLens, or export them"
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    p.set_defaults(func=_need_action, parser=p)
    sub = actions.add_parser(
        "import", help="import a ratings export (format detected from the file)"
    )
    sub.add_argument(
        "file",
        help="Letterboxd ratings.csv or export zip, IMDb ratings CSV, MovieLens or movietui "
        "export; - reads standard input",
    )
    sub.add_argument(
        "--profile", metavar="NAME", help="profile to import into (default: the current one)"
    )
    sub.add_argument("--dry-run", action="store_true", help="show what would happen, write nothing")
    sub.add_argument(
        "--partial", action="store_true", help="import the matched rows even if some did not match"
    )
    sub.set_defaults(func=cmd_ratings_import)
    _accept_home(sub)
    sub = actions.add_parser("export", help="export a profile's ratings")
    sub.add_argument(
        "file", help="where to write (.json implies --format json); - writes to standard output"
    )
    sub.add_argument(
        "--format",
        choices=tuple(RATINGS_EXPORT_FORMATS),
        help="letterboxd (Letterboxd's import CSV), movielens (movie ids, lossless CSV) or json",
    )
    sub.add_argument(
        "--profile", metavar="NAME", help="profile to export (default: the current one)"
    )
    sub.set_defaults(func=cmd_ratings_export)
    _accept_home(sub)
