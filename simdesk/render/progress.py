"""A progress bar for long runs: done / total and time left, on stderr, only for a person.

The bar is drawn only when stderr is a terminal, so piped output, CI logs and files never
receive control characters, and stdout (tables) stays clean either way.

It is redrawn from ``advance`` rather than by Rich's background refresh thread: the local
process pool forks its workers after the bar has started, and forking while another thread
may hold the stderr lock can leave a worker hung at exit.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import TYPE_CHECKING, Self

from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    # Imported when a bar is drawn (a terminal): piped runs never load Rich's progress.
    from rich.progress import Progress, TaskID

__all__ = ["ProgressBar", "StatusLine", "stderr_is_terminal"]

REFRESH_S = 0.1
"""Redraw at most this often: thousands of tiny tasks must not be slowed by drawing."""


def stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed stream
        return False


class ProgressBar:
    """``with ProgressBar(total, "sweep") as bar: ... bar.advance()``; a no-op when disabled.

    ``enabled`` defaults to "stderr is a terminal". ``stop`` may be called early (before
    printing an interruption message) and again by ``__exit__`` without harm.
    """

    def __init__(self, total: int, label: str, enabled: bool | None = None) -> None:
        self.total = total
        self.enabled = stderr_is_terminal() if enabled is None else enabled
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._label = label
        self._drawn = 0.0
        self._done = 0
        self._partial: dict[int, float] = {}

    def __enter__(self) -> ProgressBar:
        if self.enabled and self.total > 0:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("elapsed"),
                TimeElapsedColumn(),
                TextColumn("left"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
                auto_refresh=False,
            )
            self._progress.start()
            self._task = self._progress.add_task(self._label, total=self.total)
            self._progress.refresh()
        return self

    def advance(self, n: int = 1, key: int | None = None) -> None:
        """``n`` more items done; ``key`` names the item whose partial progress ends."""
        self._done += n
        if key is not None:
            self._partial.pop(key, None)
        self._draw()

    def within(self, key: int, fraction: float) -> None:
        """Item ``key`` (not yet done) is ``fraction`` of the way through: the bar moves
        during a long replication instead of sitting at 0 until it ends."""
        self._partial[key] = min(max(fraction, 0.0), 1.0)
        self._draw()

    def _draw(self) -> None:
        if self._progress is not None and self._task is not None:
            completed = self._done + sum(self._partial.values())
            self._progress.update(self._task, completed=completed)
            now = time.monotonic()
            if now - self._drawn >= REFRESH_S or self._progress.finished:
                self._progress.refresh()
                self._drawn = now

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class StatusLine:
    """A spinner with one line of text on stderr (only when stderr is a terminal), for work
    whose length is not known in advance (a search, staffing rounds): counts rather than a
    bar. Redrawn from the caller's calls, never from a background thread (see above), and
    at most every REFRESH_S unless forced. Subclasses say what the line reads (``_text``)."""

    def __init__(self, label: str, enabled: bool | None = None) -> None:
        self.enabled = stderr_is_terminal() if enabled is None else enabled
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._drawn = 0.0
        self._runs = 0
        self._label = label

    def _text(self) -> str:
        return self._label

    def __enter__(self) -> Self:
        if self.enabled:
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                TextColumn("elapsed"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
                auto_refresh=False,
            )
            self._progress.start()
            self._task = self._progress.add_task(escape(self._label), total=None)
            self._progress.refresh()
        return self

    def _draw(self, force: bool = False) -> None:
        if self._progress is None or self._task is None:
            return
        now = time.monotonic()
        if force or now - self._drawn >= REFRESH_S:
            self._progress.update(self._task, description=escape(self._text()))
            self._progress.refresh()
            self._drawn = now

    def run_done(self) -> None:
        """A replication came back."""
        self._runs += 1
        self._draw()

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
