"""Vietnamese text folding, so search ignores accents, case and the đ/d distinction."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w\s.]+")


def fold(text: str) -> str:
    """Return `text` without diacritics, with đ→d, case-folded and single-spaced.

    The same function feeds the stored folded columns and the search terms, so SQLite and
    PostgreSQL compare identical strings (neither database folds đ on its own).
    """
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d").replace("Đ", "D")
    cleaned = _NON_WORD.sub(" ", stripped.casefold())
    return _SPACES.sub(" ", cleaned).strip()


def search_terms(query: str) -> list[str]:
    """Split a user's query into folded terms, dropping duplicates but keeping order."""
    return list(dict.fromkeys(fold(query).split()))
