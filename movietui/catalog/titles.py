"""MovieLens title strings: year, display form and genres.

GroupLens writes titles library-style: ``"Shawshank Redemption, The (1994)"``, with the
article moved to the end, the year in brackets last, and alternative titles in more
brackets before it: ``"City of Lost Children, The (Cité des enfants perdus, La) (1995)"``.
These helpers never raise on any string: odd titles come back unchanged.
"""

from __future__ import annotations

import re

NO_GENRES = "(no genres listed)"

# Trailing year: "(1995)", a TV span "(2007-2013)" or an open one "(2007-)"; the first year counts.
_YEAR = re.compile(r"\s*\(\s*(\d{4})\s*(?:[-\u2013]\s*(?:\d{4})?\s*)?\)\s*$")
# One trailing bracketed group, e.g. an alternative title "(a.k.a. Se7en)".
_GROUP = re.compile(r"\s*\(([^()]*)\)\s*$")
# A trailing article after the last comma: "Matrix, The", "Avventura, L'".
_ALIAS = re.compile(r"(?:a\.k\.a\.|aka)\s+", re.IGNORECASE)
_TRAILING_ARTICLE = re.compile(r"^(?P<body>.*\S),\s*(?P<article>[^\s,]+)\s*$", re.DOTALL)

# Articles GroupLens moves to the end (English plus the common European ones seen in the data).
ARTICLES = frozenset(
    a.casefold()
    for a in (
        "The",
        "A",
        "An",  # English
        "Le",
        "La",
        "Les",
        "L'",
        "Un",
        "Une",  # French
        "El",
        "Los",
        "Las",
        "Una",
        "Lo",  # Spanish / Italian
        "Il",
        "Gli",
        "I",
        "Uno",  # Italian
        "Der",
        "Die",
        "Das",
        "Ein",
        "Eine",  # German
        "De",
        "Het",
        "Een",  # Dutch
        "Den",
        "Det",
        "En",
        "Ett",  # Scandinavian
        "O",
        "Os",
        "As",
        "Um",
        "Uma",  # Portuguese
    )
)


def split_title(raw: object) -> tuple[str, int]:
    """``"Toy Story (1995)"`` -> ``("Toy Story", 1995)``; year 0 when there is none.

    Only a year in the last bracket counts, so ``"Seven (a.k.a. Se7en) (1995)"`` gives
    ``("Seven (a.k.a. Se7en)", 1995)`` and ``"1984 (1956)"`` gives ``("1984", 1956)``.
    A title that is nothing but a year, ``"(2019)"``, keeps its text.
    """
    text = raw.strip() if isinstance(raw, str) else ""
    match = _YEAR.search(text)
    if match is None:
        return text, 0
    title = text[: match.start()].strip()
    if not title:
        return text, 0
    return title, int(match.group(1))


def _article_first(part: str) -> str:
    """``"Shawshank Redemption, The"`` -> ``"The Shawshank Redemption"``; else unchanged.

    An alias keeps its label in front: ``"a.k.a. Gates of Hell, The"`` -> ``"a.k.a. The Gates of Hell"``.
    """
    alias = _ALIAS.match(part)
    if alias is not None and alias.end() < len(part):
        return part[: alias.end()] + _article_first(part[alias.end() :])
    match = _TRAILING_ARTICLE.match(part)
    if match is None or match.group("article").casefold() not in ARTICLES:
        return part
    article, body = match.group("article"), match.group("body").strip()
    # Elided articles join without a space: "Avventura, L'" -> "L'Avventura".
    return f"{article}{body}" if article.endswith("'") else f"{article} {body}"


def display_title(title: object) -> str:
    """Reading order for a title without its year.

    The article moves to the front in the main title and in each bracketed alternative:
    ``"City of Lost Children, The (Cité des enfants perdus, La)"`` ->
    ``"The City of Lost Children (La Cité des enfants perdus)"``;
    ``"Matrix, The (a.k.a. X)"`` -> ``"The Matrix (a.k.a. X)"``.
    """
    text = " ".join(title.split()) if isinstance(title, str) else ""
    if "," not in text:  # most titles: no article to move
        return text
    groups: list[str] = []
    while True:  # peel trailing "(...)" groups off, keeping at least some main title
        match = _GROUP.search(text)
        if match is None or not text[: match.start()].strip():
            break
        groups.append(match.group(1))
        text = text[: match.start()].rstrip()
    parts = [_article_first(text)] + [f"({_article_first(g.strip())})" for g in reversed(groups)]
    return " ".join(p for p in parts if p)


def parse_genres(raw: object) -> str:
    """Pipe-joined genres with blanks dropped; ``"(no genres listed)"`` or missing -> ``""``."""
    if not isinstance(raw, str):
        return ""
    names = [g.strip() for g in raw.split("|")]
    return "|".join(g for g in names if g and g != NO_GENRES)
