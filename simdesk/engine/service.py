"""Service and its outcomes: a bot conversation or a person's handling of a contact.

``_serve`` starts a service (the wait ends, the handle time is fixed: a bot's is cut at
``max_time``, a person's after an escalation grows by the bot's ``escalation_extra``
divided by the person's speed) and schedules its completion. ``_on_done`` settles it:

- bot: resolved (truly or falsely; a false resolution comes back as a repeat) when the
  contact's draw falls under the type's resolution and the conversation was not cut;
  else escalated to the next pool on the route with the escalation penalty, or, with
  nobody behind the bot, ended unresolved;
- person: resolved when the first-contact-resolution draw falls under the serving
  agent's ``fcr`` (its pool's, unless tenure changes it), else unresolved, and an
  unresolved contact may come back as a repeat; scored with its pool's own base scores
  when the pool has them (``PoolRuntime.own_scores``).

Then the freed capacity serves the queue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mypy_extensions import mypyc_attr

from simdesk.engine.contact import BOT_FALSE, BOT_RESOLVED, PERSON_RESOLVED, UNRESOLVED
from simdesk.engine.heap import NORMAL, push
from simdesk.engine.queues import QueuesPart

if TYPE_CHECKING:
    from simdesk.engine.contact import Inquiry, Journey
    from simdesk.engine.staffing import Agent, PoolRuntime
    from simdesk.tally import Tally


@mypyc_attr(allow_interpreted_subclasses=True)
class ServicePart(QueuesPart):
    """Starting and completing services; what a bot or a person makes of a contact."""

    def _serve_bot(self, pool: PoolRuntime, inq: Inquiry, k: int, now: float) -> None:
        """A bot without a concurrency limit (``pool.unlimited``) takes the contact at once:
        no agent to take, no wait, no queue. The same records as ``_enter`` and ``_serve``
        make for a contact served without waiting, but no busy time: such a bot has no
        staffed time, so its occupancy is no figure (NaN) and its busy time no input to
        any; it is not integrated (``PoolRecord.busy_area`` stays 0)."""
        duration = inq.handle[k]
        truncated = False
        if inq.asked_human:
            inq.penalty += self.unwanted_bot_penalty
        if pool.max_time is not None and duration > pool.max_time:
            duration = pool.max_time
            truncated = True
        if inq.counted:
            pool.at_once += 1  # offered, no wait, answered (PoolRuntime.settle)
            pool.t_busy[inq.tidx] += duration
        push(
            self.queue,
            (now + duration, NORMAL, self.next_eid(), self.on_bot_done, (inq, pool, k, truncated)),
        )

    def _bot_resolves(
        self, bot: PoolRuntime, tidx: int, cell: Tally, journey: Journey,
        contacts_before: int, asked: bool, false_u: float, duration: float, now: float,
    ) -> None:
        """The short way of a measured contact that the bot without a limit at the head
        of its route will resolve (``_start_contact`` checked its draws: resolution, a
        conversation within ``max_time``). Its whole path is known now and no other
        contact can change it, so it needs no ``Inquiry``: the records ``_serve_bot``
        makes now, and a completion event carrying what ``_on_bot_resolved`` records
        then, in the same events and the same order as the long way."""
        false = false_u < bot.false_res
        # The score _finish would give it: a bot outcome's base, less the unwanted-bot
        # penalty, no wait, the repeat factor; clipped to 1-5.
        score = self.bot_score - (self.unwanted_bot_penalty if asked else 0.0)
        if contacts_before:
            score *= self.repeat_factor**contacts_before
        score = 1.0 if score < 1.0 else (5.0 if score > 5.0 else score)
        bot.at_once += 1
        bot.t_busy[tidx] += duration  # (no busy time: see _serve_bot)
        push(
            self.queue,
            (now + duration, NORMAL, self.next_eid(), self.on_bot_resolved,
             (bot, tidx, cell, journey, contacts_before, score, false)),
        )

    def _on_bot_resolved(
        self, value: tuple[PoolRuntime, int, Tally, Journey, int, float, bool]
    ) -> None:
        """The end of a conversation taken the short way (``_bot_resolves``): what
        ``_on_bot_done``, ``_bot_result`` and ``_finish`` record for a measured contact the
        bot resolves without a wait; then its issue goes on or ends."""
        bot, tidx, cell, journey, contacts_before, score, false = value
        now = self.env._now
        # Handled, resolved and contained by the bot; the cell's contained, handled, zero
        # wait and within: one count each (PoolRuntime.settle, recording.Kind.fold).
        bot.t_short[tidx] += 1
        cell.at_bot += 1
        cell.add_csat(score)
        if score >= self.satisfied_at:
            cell.satisfied += 1
        if not false:
            cell.resolved += 1
        self._issue_goes_on(not false, tidx, contacts_before, journey, score, now)

    def _issue_goes_on(
        self, resolved: bool, tidx: int, contacts_before: int, journey: Journey,
        score: float, now: float,
    ) -> None:
        """After a contact is handled, what its issue does (docs/figures.md, "Issues"):
        unresolved (or falsely resolved), it comes back as a repeat contact with
        ``repeat``'s chance; otherwise it ends here, resolved or not (``_end_issue``).
        Every path that handles a contact ends with this call, short ways included."""
        if not resolved and self.repeat_p > 0.0 and self.repeat_u() < self.repeat_p:
            self._at(now + self.repeat_delay(), self.on_followup,
                     (tidx, contacts_before + 1, journey))
        else:
            self._end_issue(journey, resolved, score, now)

    def _person_serves(
        self, pool: PoolRuntime, agent: Agent, units: int, tidx: int, cell: Tally,
        pcell: Tally | None, journey: Journey, contacts_before: int, fcr_u: float,
        duration: float, now: float,
    ) -> None:
        """The short way of a measured contact that a person at the head of its route
        takes at once (``_start_contact`` took the agent): no wait, no queue, no timer,
        so nothing can change its path and it needs no ``Inquiry``. What ``_serve``
        records now; ``_on_person_done`` records what ``_on_done`` and ``_finish`` do
        then, in the same events and the same order as the long way."""
        pool.zero_waits += 1
        if self.zero_within:
            pool.tally.within += 1
        pool.t_busy[tidx] += duration * units
        pool.busy_area += pool.busy * (now - pool.last)
        pool.last = now
        pool.busy += units
        push(
            self.queue,
            (now + duration, NORMAL, self.next_eid(), self.on_person_done,
             (pool, agent, units, tidx, cell, pcell, journey, contacts_before, fcr_u)),
        )

    def _on_person_done(
        self,
        value: tuple[PoolRuntime, Agent, int, int, Tally, Tally | None, Journey, int, float],
    ) -> None:
        """The end of a service taken the short way (``_person_serves``)."""
        pool, agent, units, tidx, cell, pcell, journey, contacts_before, fcr_u = value
        now = self.env._now
        self._release(pool, agent, units, now)
        resolved = fcr_u < agent.fcr
        pool.t_handled[tidx] += 1
        if resolved:
            pool.t_resolved[tidx] += 1
        # _finish for a contact that did not wait, without penalties.
        own = pool.own_scores
        if own is None:
            score = self.base_score[PERSON_RESOLVED if resolved else UNRESOLVED]
        else:
            score = own[resolved]
        cell.handled += 1
        if self.zero_within:
            cell.within += 1
        if resolved:
            cell.resolved += 1
        cell.hist.zeros += 1
        if contacts_before:
            score *= self.repeat_factor**contacts_before
        score = 1.0 if score < 1.0 else (5.0 if score > 5.0 else score)
        cell.add_csat(score)
        if score >= self.satisfied_at:
            cell.satisfied += 1
        if pcell is not None:  # the people's cell, when kept apart (recording.py)
            pcell.handled += 1
            if self.zero_within:
                pcell.within += 1
            pcell.hist.zeros += 1
            pcell.add_csat(score)
        self._issue_goes_on(resolved, tidx, contacts_before, journey, score, now)
        order = pool.order
        if order and (order[0] or len(order) > 1):
            self._dispatch(pool, now)

    def _serve(
        self, pool: PoolRuntime, inq: Inquiry, k: int, agent: Agent, units: int, now: float
    ) -> None:
        here = now - inq.wait_start
        inq.wait_total += here
        pool_wait = here
        also = inq.also
        if also is not None:
            for other, joined in also:
                if other is pool:
                    pool_wait = now - joined
            if inq.counted:
                primary = inq.pool
                for other in [primary, *(o for o, _ in also)]:
                    if other is not pool:
                        other.tally.overflowed += 1
            inq.also = None
        inq.token += 1
        duration = inq.handle[k]
        truncated = False
        if pool.is_bot:
            if inq.asked_human:
                inq.penalty += self.unwanted_bot_penalty
            if pool.max_time is not None and duration > pool.max_time:
                duration = pool.max_time
                truncated = True
        elif inq.escalations:
            duration += inq.route.pools[0].extra / pool.speed
        if pool.learn is not None:  # a people pool with a learning curve (people.py)
            duration *= pool.learn.factor(agent.id, now)
        if inq.counted:
            t = pool.tally
            if pool_wait > 0.0:
                t.wait_sum += pool_wait
                t.answered_wait_sum += pool_wait
                pool.waits.append(pool_wait)  # binned and counted by PoolRuntime.settle
            else:
                pool.zero_waits += 1
            if pool_wait <= self.sl_within:
                t.within += 1
            pool.t_busy[inq.tidx] += duration * units
        pool.busy_area += pool.busy * (now - pool.last)
        pool.last = now
        pool.busy += units
        # self._at inlined: a completion is scheduled for every service.
        push(
            self.queue,
            (now + duration, NORMAL, self.next_eid(), self.on_done,
             (inq, pool, agent, units, k, truncated)),
        )
        if also is not None:
            # It leaves the other pools' queues too: where it was the head that blocked
            # the queue, those behind it may now be served.
            self._reserve(inq.pool, also, pool, now)

    def _on_bot_done(self, value: tuple[Inquiry, PoolRuntime, int, bool]) -> None:
        """A conversation of a bot without a concurrency limit ends: nothing to give back,
        nobody waiting for it, no busy time (``_serve_bot``)."""
        inq, pool, k, truncated = value
        self._bot_result(inq, pool, k, truncated, self.env._now)

    def _on_done(
        self, value: tuple[Inquiry, PoolRuntime, Agent, int, int, bool]
    ) -> None:
        """A service ends (a person's, or a bot's with a concurrency limit): the agent's
        capacity is free again, the contact's outcome is settled, the queue is served."""
        inq, pool, agent, units, k, truncated = value
        now = self.env._now
        self._release(pool, agent, units, now)
        if pool.is_bot:
            self._bot_result(inq, pool, k, truncated, now)
        else:
            tidx = inq.tidx
            fcr = agent.fcr  # the person's own fcr (staffing.Agent)
            if pool.learn_fcr:
                assert pool.learn is not None
                fcr *= pool.learn.fcr_factor(agent.id, now)
            resolved = inq.u_fcr < fcr
            if inq.counted:
                pool.t_handled[tidx] += 1
                if resolved:
                    pool.t_resolved[tidx] += 1
            own = pool.own_scores
            if own is None:
                self._finish(inq, PERSON_RESOLVED if resolved else UNRESOLVED)
            else:
                self._finish(inq, PERSON_RESOLVED if resolved else UNRESOLVED, own[resolved])
            self._issue_goes_on(resolved, tidx, inq.contacts_before, inq.journey, inq.score, now)
        order = pool.order
        if order and (order[0] or len(order) > 1):
            self._dispatch(pool, now)

    def _release(self, pool: PoolRuntime, agent: Agent, units: int, now: float) -> None:
        """A service ends: the pool is less busy, the agent's units are free again (or,
        off shift, it goes off the clock once its last contact is done)."""
        pool.busy_area += pool.busy * (now - pool.last)
        pool.last = now
        pool.busy -= units
        if agent.on_shift:
            if pool.levels is None:  # pool.give_back inlined
                was_free = agent.free
                agent.free = was_free + units
                pool.slots += units
                if was_free == 0:
                    pool.free.append(agent)
            else:
                pool.give_back(agent, units)
        else:
            agent.free += units
            if (
                agent.free == agent.cap
                and agent.staffed
                and (pool.roster is None or agent.id not in pool.roster.resting)
            ):
                pool.flush(now)  # the last contact after the shift is done: off the clock
                agent.staffed = False
                pool.staffed -= pool.cap

    def _bot_result(
        self, inq: Inquiry, pool: PoolRuntime, k: int, truncated: bool, now: float
    ) -> None:
        """What a finished bot conversation comes to: resolved (truly or falsely), or
        escalated to the next pool on the route."""
        tidx = inq.tidx
        counted = inq.counted
        if counted:
            pool.t_handled[tidx] += 1
        if not truncated and inq.u_bot < pool.res[tidx]:
            false = inq.u_false < pool.false_res
            if counted:
                pool.t_resolved[tidx] += 1
                pool.tally.contained += 1
                inq.cell.contained += 1
            self._finish(inq, BOT_FALSE if false else BOT_RESOLVED)
            self._issue_goes_on(not false, tidx, inq.contacts_before, inq.journey, inq.score,
                                now)
            return
        inq.escalations += 1
        if counted:
            pool.tally.escalated += 1
            inq.cell.escalated += 1
        if k + 1 < len(inq.route.pools):
            # Handed on to a person: the escalation penalty (docs/rules.md). With
            # nobody behind the bot the contact just ends unresolved.
            inq.penalty += self.escalation_penalty
            self._enter(inq, k + 1, now)
        else:
            self._finish(inq, UNRESOLVED)
            self._issue_goes_on(False, tidx, inq.contacts_before, inq.journey, inq.score, now)
