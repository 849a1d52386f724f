"""Text rules shared by every room: folding titles and queries to one form, and byte sizes.

Folding: no accents, no case, single spaces. SQLite 3.40's trigram tokenizer cannot strip diacritics (``remove_diacritics`` needs
3.45), so titles are folded here before indexing and every query is folded the same
way. Punctuation is kept so "[REC]" and "Matrix, The" still match literally.
"""

from __future__ import annotations

import re
import unicodedata

# Letters that NFKD does not decompose into a base letter plus a mark.
_SPECIAL = str.maketrans(
    {
        "æ": "ae",
        "œ": "oe",
        "ø": "o",
        "ß": "ss",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ı": "i",
        "ŀ": "l",
        "ħ": "h",
        "ŧ": "t",
    }
)
# Leading articles dropped for "exact title" ranking ("The Matrix" == "matrix").
_ARTICLE = re.compile(
    r"^(?:(?:the|a|an|les|le|la|el|los|las|il|der|die|das|den|det|de|het) |l')(?=.)"
)


def _strip_marks(text: str) -> str:
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )


def fold_text(text: str) -> str:
    """Search form of ``text``: NFKD without combining marks, casefolded, spaces collapsed."""
    if text.isascii():  # most titles: nothing to decompose, and lower() == casefold() here
        return " ".join(text.lower().split())
    return fold_unicode(text)


def fold_unicode(text: str) -> str:
    """The general path of :func:`fold_text`, for any text."""
    out = _strip_marks(text).casefold().translate(_SPECIAL)
    # Casefolding and the table above can expose new decomposable characters; a
    # second pass makes folding idempotent.
    out = _strip_marks(out).casefold()
    return " ".join(out.split())


def without_article(folded: str) -> str:
    """``folded`` minus one leading article, if any ("the matrix" -> "matrix")."""
    return _ARTICLE.sub("", folded, count=1)


def human_size(n_bytes: int | None) -> str:
    """A byte count as people read it: "812 KB", "3.2 MB", "228 MB", "1.1 GB"; "size unknown" for None/0."""
    if not n_bytes:
        return "size unknown"
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n_bytes >= scale:
            value = n_bytes / scale
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
    return f"{n_bytes} B"
