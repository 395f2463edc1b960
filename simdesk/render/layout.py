"""Tables that fit the width they are given, without ever cutting a number or a name.

Rich shrinks a table that is too wide by cutting cells (``54,4…``). Instead, a table is
described as key columns (what a row is: a figure, a pool, an hour, a sweep point) and
value columns, measured, and split into several tables of fewer columns, each repeating
the key columns, so every cell keeps its whole text. Rows that are empty in every value
column of a part are left out of that part (a "target" part lists only figures with a
target). A width of None means "as wide as needed" (output that is not a terminal).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

from simdesk.render.text import visible

__all__ = [
    "UNBOUNDED",
    "Column",
    "fit_tables",
    "legend_text",
    "make_console",
    "print_tables",
    "table_width",
]

UNBOUNDED = 1_000_000
"""Console width used when output is not a terminal: tables take the width they need."""


@dataclass
class Column:
    """A column: ``header`` is plain text (shown as written, control characters made
    visible), ``cells`` are Rich markup
    (names in them already escaped with render.text.plain)."""

    header: str
    cells: list[str] = field(default_factory=list)
    justify: Literal["left", "right"] = "right"


def _text_width(markup: str, is_markup: bool = True) -> int:
    text = Text.from_markup(markup) if is_markup else Text(markup)
    return max((Text(line).cell_len for line in text.plain.split("\n")), default=0)


def _width(c: Column) -> int:
    return max(
        [_text_width(visible(c.header), is_markup=False)] + [_text_width(x) for x in c.cells]
    )


def _table_width(widths: Sequence[int]) -> int:
    """Width of a Rich table with the default box: 1 padding each side, borders between."""
    return sum(w + 2 for w in widths) + len(widths) + 1


def table_width(console: Console) -> int | None:
    """The width tables must fit, or None when output is not a terminal (no limit)."""
    return None if console.width >= UNBOUNDED else console.width


def _groups(keys: Sequence[Column], columns: Sequence[Column], width: int | None) -> list[
    list[int]
]:
    if width is None:
        return [list(range(len(columns)))]
    key_widths = [_width(k) for k in keys]
    groups: list[list[int]] = []
    current: list[int] = []
    current_widths: list[int] = []
    for i, c in enumerate(columns):
        w = _width(c)
        if current and _table_width(key_widths + current_widths + [w]) > width:
            groups.append(current)
            current, current_widths = [], []
        current.append(i)
        current_widths.append(w)
    if current:
        groups.append(current)
    return groups or [[]]


def fit_tables(
    title: str,
    keys: Sequence[Column],
    columns: Sequence[Column],
    width: int | None,
    caption: str | None = None,
    sections: Sequence[int] = (),
    title_is_markup: bool = False,
) -> list[RenderableType]:
    """One table when it fits (or width is None), else several, each with the key
    columns and as many value columns as fit, each after its title line; the caption
    follows the last. ``sections`` are row indices that start a
    new section (a rule above them). A single column too wide on its own folds (wraps)
    rather than cuts; that only happens with names longer than the screen."""
    nrows = len(keys[0].cells) if keys else (len(columns[0].cells) if columns else 0)
    groups = _groups(keys, columns, width)
    out: list[RenderableType] = []
    for g, group in enumerate(groups):
        # Titles and captions are printed as lines of their own, wrapped at the screen's
        # width rather than squeezed into a narrow table's.
        part_title = title if g == 0 else f"{title} (continued)"
        shown = Text.from_markup(part_title) if title_is_markup else Text(visible(part_title))
        shown.stylize("italic")
        out.append(shown)
        t = Table()
        widths = [_width(k) for k in keys] + [_width(columns[i]) for i in group]
        too_wide = width is not None and _table_width(widths) > width
        overflow: Literal["fold", "ellipsis"] = "fold" if too_wide else "ellipsis"
        for k in keys:
            t.add_column(Text(visible(k.header)), justify=k.justify, no_wrap=not too_wide,
                         overflow=overflow)
        for i in group:
            t.add_column(Text(visible(columns[i].header)), justify=columns[i].justify,
                         no_wrap=not too_wide, overflow=overflow)
        for r in range(nrows):
            values = [columns[i].cells[r] for i in group]
            if len(groups) > 1 and group and not any(v.strip() for v in values):
                continue
            if r in sections and t.row_count:
                t.add_section()
            t.add_row(*(k.cells[r] for k in keys), *values)
        out.append(t)
    if caption:
        out.append(Text.from_markup(caption, style="dim"))
    return out


def legend_text(headers: Sequence[str], legend: Mapping[str, str]) -> str | None:
    """``SL: service level; ASA: ...`` for the abbreviations among ``headers``."""
    used = [f"{h}: {legend[h]}" for h in dict.fromkeys(headers) if h in legend]
    return "; ".join(used) if used else None


def print_tables(console: Console, tables: Sequence[RenderableType]) -> None:
    for t in tables:
        console.print(t)


def make_console(stderr: bool = False, width: int | None = None) -> Console:
    """A console ``width`` columns wide; by default the terminal's width, and when output
    is not a terminal (redirected to a file, piped, captured) no limit at all, so a saved
    report never has cut or re-wrapped tables."""
    if width is not None:
        return Console(stderr=stderr, width=width)
    console = Console(stderr=stderr)
    if not console.is_terminal:
        return Console(stderr=stderr, width=UNBOUNDED)
    return console
