"""The exact continuous-time Markov chain of one agent with chat slots, taking chats and calls.

The documented rule (docs/rules.md): waiting contacts are served strictly in arrival order
(one priority here); a call needs the whole agent, a chat one slot; whenever anything
changes (an arrival, a completion, a contact leaving the queue) the queue is re-served from
its head until the head does not fit. Everything is exponential (arrivals Poisson, handle
times, patience, retry delays), so the state

    (in service, queue as a tuple of types, chats waiting to retry, calls waiting to retry)

is Markov. ``in service`` is 0..slots chats, or ``CALL`` for a call holding the agent.
The queue and the two retry pools are truncated (arrivals that would exceed them are
dropped); ``boundary_mass`` tells how much probability sits at the truncation, which
bounds the truncation error of the figures.

``settle_after_leave=False`` gives the chain of the faulty rule the engine once had: when a
contact leaves the queue by abandoning, the queue is not re-served until the next arrival or
completion.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.linalg import bicgstab

CHAT, CALL_T = 0, 1


@dataclass(frozen=True)
class MixedDesk:
    slots: int  # chat slots of the one agent (concurrency)
    chat_rate: float  # fresh arrivals per second
    call_rate: float
    chat_service: float  # 1 / mean handle time, per second
    call_service: float
    abandon: float  # 1 / mean patience
    retry_p: float
    retry_rate: float  # 1 / mean retry delay
    max_queue: int
    max_orbit: int
    settle_after_leave: bool = True


@dataclass(frozen=True)
class ChainFigures:
    chat_abandonment: float  # abandoned / (handled + abandoned), chats, retries included
    call_abandonment: float
    boundary_mass: float  # probability of states at a truncation edge
    states: int


def _settle(s: int, q: tuple[int, ...], slots: int) -> tuple[int, tuple[int, ...]]:
    call = slots + 1  # code for "a call holds the agent"
    while q:
        head = q[0]
        if head == CHAT and s < slots:
            s += 1
        elif head == CALL_T and s == 0:
            s = call
        else:
            break
        q = q[1:]
    return s, q


def solve(d: MixedDesk) -> ChainFigures:
    call = d.slots + 1
    start = (0, (), 0, 0)
    index = {start: 0}
    states = [start]
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    todo = deque([start])

    def add(i: int, target: tuple[int, tuple[int, ...], int, int], rate: float) -> None:
        if rate <= 0.0:
            return
        j = index.get(target)
        if j is None:
            j = index[target] = len(states)
            states.append(target)
            todo.append(target)
        rows.append(i)
        cols.append(j)
        vals.append(rate)

    while todo:
        st = todo.popleft()
        i = index[st]
        s, q, oc, op = st
        # Arrivals, fresh and retries: join the queue's tail, then the queue is served.
        if len(q) < d.max_queue:
            for typ, fresh, orbit in ((CHAT, d.chat_rate, oc), (CALL_T, d.call_rate, op)):
                s2, q2 = _settle(s, (*q, typ), d.slots)
                add(i, (s2, q2, oc, op), fresh)
                if orbit:
                    back = (oc - 1, op) if typ == CHAT else (oc, op - 1)
                    add(i, (s2, q2, *back), orbit * d.retry_rate)
        # Completions free capacity and the queue is served.
        if 0 < s <= d.slots:
            s2, q2 = _settle(s - 1, q, d.slots)
            add(i, (s2, q2, oc, op), s * d.chat_service)
        elif s == call:
            s2, q2 = _settle(0, q, d.slots)
            add(i, (s2, q2, oc, op), d.call_service)
        # Each waiting contact abandons at its own rate, and may retry later.
        for pos, typ in enumerate(q):
            q2 = q[:pos] + q[pos + 1 :]
            s2 = s
            if d.settle_after_leave:
                s2, q2 = _settle(s, q2, d.slots)
            stay = (1.0 - d.retry_p) * d.abandon
            add(i, (s2, q2, oc, op), stay)
            if typ == CHAT and oc < d.max_orbit:
                add(i, (s2, q2, oc + 1, op), d.retry_p * d.abandon)
            elif typ == CALL_T and op < d.max_orbit:
                add(i, (s2, q2, oc, op + 1), d.retry_p * d.abandon)
            else:
                add(i, (s2, q2, oc, op), d.retry_p * d.abandon)

    n = len(states)
    r = np.array(rows)
    c = np.array(cols)
    v = np.array(vals)
    out = np.bincount(r, weights=v, minlength=n)
    # Stationary pi: pi Q = 0, sum pi = 1. Fix pi[0] = 1, solve the other equations of
    # Q^T pi = 0 (sparse, no dense normalisation row), then normalise.
    qt = csr_matrix(
        (np.concatenate([v, -out]), (np.concatenate([c, np.arange(n)]),
                                     np.concatenate([r, np.arange(n)]))),
        shape=(n, n),
    )
    a = qt[1:, 1:].tocsr()
    rhs = -qt[1:, 0].toarray().ravel()
    rest, info = bicgstab(a, rhs, rtol=1e-13, atol=0.0, maxiter=200_000)
    residual = float(np.abs(a @ rest - rhs).max() / np.abs(rhs).max())
    if info != 0 or residual > 1e-9:
        raise RuntimeError(f"stationary solve did not converge (info {info}, {residual:.2g})")
    pi = np.concatenate([[1.0], rest])
    pi /= pi.sum()

    chat_in_service = np.array([st[0] if st[0] <= d.slots else 0 for st in states], float)
    call_in_service = np.array([1.0 if st[0] == call else 0.0 for st in states])
    chats_waiting = np.array([st[1].count(CHAT) for st in states], float)
    calls_waiting = np.array([st[1].count(CALL_T) for st in states], float)
    edge = np.array(
        [
            len(st[1]) == d.max_queue or (d.retry_p > 0 and max(st[2], st[3]) == d.max_orbit)
            for st in states
        ]
    )
    chat_ab = d.abandon * float(pi @ chats_waiting)
    chat_done = d.chat_service * float(pi @ chat_in_service)
    call_ab = d.abandon * float(pi @ calls_waiting)
    call_done = d.call_service * float(pi @ call_in_service)
    return ChainFigures(
        chat_abandonment=chat_ab / (chat_ab + chat_done),
        call_abandonment=call_ab / (call_ab + call_done),
        boundary_mass=float(pi[edge].sum()),
        states=n,
    )
