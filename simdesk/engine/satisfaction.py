"""Satisfaction scoring, and the record of a contact's end (docs/satisfaction.md).

A finished contact scores its outcome's base score, less its penalties (escalation,
unwanted bot, and the wait: ``wait_penalty_per_min`` per minute up to
``max_wait_penalty``), times ``repeat_factor`` for each earlier contact about the same
issue, clipped to 1-5. The same call counts the contact's end in its (type, hour) cell:
both happen once per contact, on the hot path, so they share one method.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mypy_extensions import mypyc_attr

from simdesk.engine.base import DeskBase
from simdesk.engine.contact import ABANDONED, BOT_RESOLVED, PERSON_RESOLVED

if TYPE_CHECKING:
    from simdesk.engine.contact import Inquiry
    from simdesk.scenario import Scenario


@mypyc_attr(allow_interpreted_subclasses=True)
class ScoringPart(DeskBase):
    """Scores and counts a finished contact."""

    def _setup_scoring(self, s: Scenario) -> None:
        self.sl_within = s.service_level_within
        self.zero_within = self.sl_within >= 0.0  # a contact served at once is within
        sat = s.satisfaction
        self.sat = sat
        # Base score by outcome, indexed by BOT_RESOLVED .. ABANDONED; a false resolution
        # scores like a true one, because the customer does not know yet.
        self.base_score = (
            sat.resolved_by_bot,
            sat.resolved_by_bot,
            sat.resolved_by_person,
            sat.unresolved,
            sat.abandoned,
        )
        self.wait_penalty_per_s = sat.wait_penalty_per_min / 60.0
        self.max_wait_penalty = sat.max_wait_penalty
        self.repeat_factor = sat.repeat_factor
        self.bot_score = sat.resolved_by_bot  # a bot resolution's base (true or false)
        # Read per contact: plain floats of the desk's, not attributes of the model.
        self.unwanted_bot_penalty = sat.unwanted_bot_penalty
        self.escalation_penalty = sat.escalation_penalty
        self.satisfied_at = sat.threshold

    def _setup_pool_scores(self) -> None:
        """Pools with their own scores (``pools[].satisfaction``): a person's outcome there
        scores the pool's base, the desk's for a key the pool leaves out."""
        sat = self.sat
        for p in self.s.pools:
            own = p.satisfaction
            if own is not None:
                self.pools[p.name].own_scores = (
                    sat.unresolved if own.unresolved is None else own.unresolved,
                    sat.resolved_by_person
                    if own.resolved_by_person is None
                    else own.resolved_by_person,
                )

    def _finish(self, inq: Inquiry, outcome: int, base: float | None = None) -> None:
        """Count a finished contact and score its satisfaction (docs/satisfaction.md), in
        its cell and, when it reached people, in its people cell too. ``base``: the
        outcome's base score when the serving pool has its own, else the desk's."""
        if not inq.counted:
            return
        cell = inq.cell
        wait = inq.wait_total
        score = (self.base_score[outcome] if base is None else base) - inq.penalty
        if outcome == ABANDONED:
            cell.abandoned += 1
        else:
            cell.handled += 1
            cell.add_answered_wait(wait)
            if wait <= self.sl_within:
                cell.within += 1
            if outcome in (PERSON_RESOLVED, BOT_RESOLVED):
                cell.resolved += 1
        # ``rated`` and ``waited`` and the count of waits are derived when the cell is folded
        # (recording.Kind): every contact counted here is rated, each wait kept waited.
        if wait > 0.0:
            cell.add_wait(wait)
            cell.hist.add(wait)
            penalty = self.wait_penalty_per_s * wait
            score -= penalty if penalty < self.max_wait_penalty else self.max_wait_penalty
        else:
            cell.hist.zeros += 1
        if inq.contacts_before:
            score *= self.repeat_factor**inq.contacts_before
        score = 1.0 if score < 1.0 else (5.0 if score > 5.0 else score)
        cell.add_csat(score)
        if score >= self.satisfied_at:
            cell.satisfied += 1
        inq.score = score
        if inq.people:
            # The counts the people's figures use (figures._people); the rest of a people
            # cell stays zero. Inlined: one call less per contact that reached people.
            pcell = inq.pcell
            if outcome == ABANDONED:
                pcell.abandoned += 1
            else:
                pcell.handled += 1
                if wait <= self.sl_within:
                    pcell.within += 1
            if wait > 0.0:
                pcell.add_wait(wait)
                pcell.hist.add(wait)
            else:
                pcell.hist.zeros += 1
            pcell.add_csat(score)
