"""User text (names, file paths, messages) made safe to print through Rich.

Names in a scenario are text, not markup: a pool named ``[/]`` would otherwise crash a
table with a MarkupError, ``[bold]x`` would print as a bold ``x``, and an escape sequence
in a name would reach the terminal and restyle or rewrite it. Every place that renders
text from a user goes through ``plain`` (inside markup) or ``visible`` (inside a
``rich.text.Text``, which is not parsed as markup).
"""

from __future__ import annotations

import unicodedata

from rich.markup import escape

__all__ = ["plain", "visible"]


def _shown(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: object, newlines: bool = False) -> str:
    """``str(text)`` with control characters written out (ESC as ``\\x1b``), so they are
    seen rather than obeyed; ``newlines`` keeps line breaks of multi-line messages."""
    s = str(text)
    if s.isprintable():
        return s
    keep = "\n" if newlines else ""
    return "".join(
        _shown(ch) if unicodedata.category(ch) == "Cc" and ch not in keep else ch for ch in s
    )


def plain(text: object, newlines: bool = False) -> str:
    """User text to embed in a Rich markup string: control characters visible, and every
    ``[`` that could start a tag escaped, so it prints exactly as written."""
    return escape(visible(text, newlines))
