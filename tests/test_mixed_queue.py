"""A pool taking both chats and calls re-serves its queue whenever a contact leaves it.

Checked against the exact continuous-time Markov chain of the documented rule
(docs/rules.md, tests/mixed_chain.py): one agent with three chat slots, chats and calls,
exponential everything, abandonment with and without retries. The chain of the faulty rule
(the queue waits for the next arrival or completion after its head abandons) is solved too,
to show the run is long enough to tell the two apart.
"""

from __future__ import annotations

import functools
from typing import Any

import pytest
from mixed_chain import ChainFigures, MixedDesk, solve
from scipy.stats import t as student_t

from simdesk.experiment import run_experiment
from simdesk.loading import scenario_from_data

H = 3600.0
CHAT_PER_H, CALL_PER_H = 10.0, 4.0
CHAT_MIN, CALL_MIN, PATIENCE_MIN, RETRY_MIN = 6.0, 3.0, 1.5, 5.0


def desk_data(retry_p: float, horizon: str, replications: int, seed: int) -> dict[str, Any]:
    return {
        "name": "one-agent-mixed",
        "seed": seed,
        "warmup": "1d",
        "horizon": horizon,
        "replications": replications,
        "demand": {
            "arrival_rate": f"{CHAT_PER_H + CALL_PER_H}/h",
            "types": [
                {"name": "chat", "share": CHAT_PER_H / (CHAT_PER_H + CALL_PER_H),
                 "channel": "chat"},
                {"name": "call", "share": CALL_PER_H / (CHAT_PER_H + CALL_PER_H),
                 "channel": "phone"},
            ],
        },
        "customers": {
            "patience": f"exponential(mean={PATIENCE_MIN}m)",
            "retry": {"probability": retry_p, "after": f"exponential(mean={RETRY_MIN}m)"},
            "repeat": {"probability": 0},
        },
        "pools": [
            {
                "name": "agent",
                "kind": "inhouse",
                "agents": 1,
                "concurrency": 3,
                "handle_time": {
                    "chat": f"exponential(mean={CHAT_MIN}m)",
                    "call": f"exponential(mean={CALL_MIN}m)",
                },
            }
        ],
        "routing": {"chat": "agent", "call": "agent"},
    }


@functools.cache
def chain(retry_p: float, settle: bool) -> ChainFigures:
    orbit = 5 if retry_p > 0 else 0
    return solve(
        MixedDesk(
            slots=3,
            chat_rate=CHAT_PER_H / H,
            call_rate=CALL_PER_H / H,
            chat_service=1 / (CHAT_MIN * 60),
            call_service=1 / (CALL_MIN * 60),
            abandon=1 / (PATIENCE_MIN * 60),
            retry_p=retry_p,
            retry_rate=1 / (RETRY_MIN * 60),
            max_queue=5 if retry_p > 0 else 9,
            max_orbit=orbit,
            settle_after_leave=settle,
        )
    )


def check(retry_p: float, horizon: str, replications: int, seed: int) -> None:
    exact = chain(retry_p, True)
    faulty = chain(retry_p, False)
    assert exact.boundary_mass < 2e-4  # truncation changes the figures by less than that
    summary = run_experiment(scenario_from_data(desk_data(retry_p, horizon, replications, seed)))
    for tname, exact_value, faulty_value in (
        ("chat", exact.chat_abandonment, faulty.chat_abandonment),
        ("call", exact.call_abandonment, faulty.call_abandonment),
    ):
        est = summary.types[tname]["abandonment_rate"]
        assert est.n == replications
        # 99.9% interval from the replications' spread, plus the chain's truncation.
        half = est.half_width * float(
            student_t.ppf(0.9995, est.n - 1) / student_t.ppf(0.975, est.n - 1)
        )
        slack = half + 4 * exact.boundary_mass
        assert abs(est.mean - exact_value) <= slack, (
            f"{tname} abandonment: simulated {est.mean:.4f} +- {half:.4f}, exact chain "
            f"{exact_value:.4f}, chain of the faulty rule {faulty_value:.4f}"
        )
    # The run is long enough to tell the documented rule from the faulty one.
    chat = summary.types["chat"]["abandonment_rate"]
    assert chat.half_width * 3 < abs(exact.chat_abandonment - faulty.chat_abandonment)


def test_mixed_queue_with_retries_matches_the_exact_chain() -> None:
    """Retries on: patience timers, so a head call that abandons is a timer event."""
    check(0.5, "120d", 6, 11)


def test_mixed_queue_with_lazy_abandonment_matches_the_exact_chain() -> None:
    """No retries: abandonment is lazy; a call blocking the head must still leave on time."""
    check(0.0, "120d", 6, 12)


@pytest.mark.slow
def test_mixed_queue_matches_the_exact_chain_long() -> None:
    check(0.5, "2000d", 10, 13)
    check(0.0, "2000d", 10, 14)
