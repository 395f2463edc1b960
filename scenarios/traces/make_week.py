"""Writes week.csv: a synthetic trace of eight days of arrivals (no real data).

Poisson arrivals at 16/h on average, shaped by a daytime profile and quieter weekends,
from 2027-01-03 00:00 (a Sunday: the warm-up day of trace_week.yaml) to 2027-01-11 00:00;
60% order-status chats, 40% billing calls. Run it from the repository root to rebuild
the file byte for byte:

    .venv/bin/python scenarios/traces/make_week.py
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

RATE = 16.0  # arrivals per hour, mean over the week
INTRADAY = [0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.0, 1.5, 1.8, 1.8, 1.7,
            1.6, 1.6, 1.6, 1.5, 1.4, 1.3, 1.2, 1.1, 1.0, 0.8, 0.5, 0.3]
WEEKDAY = [1.2, 1.1, 1.0, 1.0, 1.0, 0.8, 0.6]
TYPES = [("order_status", "chat", 0.6), ("billing", "phone", 0.4)]
FIRST = datetime(2027, 1, 3)
DAYS = 8


def main() -> None:
    rng = np.random.default_rng(2027)
    rows = ["timestamp,type,channel"]
    for h in range(DAYS * 24):
        start = FIRST + timedelta(hours=h)
        rate = (RATE * INTRADAY[start.hour] * 24 / sum(INTRADAY)
                * WEEKDAY[start.weekday()] * 7 / sum(WEEKDAY))
        n = rng.poisson(rate)
        for second in sorted(rng.integers(0, 3600, n).tolist()):
            i = 0 if rng.random() < TYPES[0][2] else 1
            name, channel, _ = TYPES[i]
            rows.append(f"{(start + timedelta(seconds=second)).isoformat()},{name},{channel}")
    Path(__file__).with_name("week.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
