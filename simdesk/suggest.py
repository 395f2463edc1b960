""""Did you mean ...?": the closest known word to a misspelled one.

Shared by the scenario loader (unknown keys, pool and type names), ``--set`` and the
command line's unknown options, so a typo gets the same kind of hint everywhere. Closeness
is edit distance (with transpositions), not difflib's ratio: ``--html`` is three edits from
``--help`` and should not be "corrected" to it, while ``agnets`` is one edit from ``agents``.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["closest", "did_you_mean", "edit_distance"]


def edit_distance(a: str, b: str) -> int:
    """Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of
    two neighbouring letters each cost one (``agnets`` -> ``agents`` is one edit)."""
    if a == b:
        return 0
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], prev2[j - 2] + 1)
        prev2, prev = prev, row
    return prev[-1]


def _allowed_edits(word: str) -> int:
    """Edits a typo of ``word`` may plausibly have: 1 for short words, 2 from 6 letters."""
    return 1 if len(word) < 6 else 2


def closest(word: str, known: Iterable[str]) -> str | None:
    """The known word ``word`` most likely misspells, or None when none is close.

    Case and ``-``/``_`` differences are free (``Agents``, ``per-hour``); a prefix of a
    longer known word (``replication`` for ``replications``) counts as close too.
    """

    def norm(text: str) -> str:
        return text.lower().replace("-", "_").lstrip("_")

    target = norm(word)
    if not target:
        return None
    best: tuple[int, str] | None = None
    for candidate in dict.fromkeys(known):
        cand = norm(candidate)
        if not cand or candidate == word:
            continue
        distance = edit_distance(target, cand)
        limit = _allowed_edits(cand)
        if distance > limit and not (len(target) >= 3 and cand.startswith(target)):
            continue
        if best is None or distance < best[0]:
            best = (distance, candidate)
    return None if best is None else best[1]


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """``"did you mean 'agents'?"`` or the empty string."""
    match = closest(word, known)
    return "" if match is None else f"did you mean '{match}'?"
