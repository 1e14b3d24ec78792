"""Benchmark: the blameless-language coach on one practice section (median, p95).

Coaching runs as the learner types (debounced), so one full section must stay quick: the
worked example's sections, and a worst case of 10,000 characters (the section cap) of
repeated blameful sentences.

Run: .venv/bin/python bench/coach.py [--repeat 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from percentiles import percentile  # noqa: E402

from postmortems.coach import coach_text, get_coach_rules  # noqa: E402

WORST_CASE = (
    "Zandile Mokoena and the team saw it but they failed to act, and failed to page, and "
    "the reviewer should have caught it; Sam broke the build. "
)
TYPICAL = (
    "At 14:02 the support assistant told a customer that refunds were available for 90 days. "
    "The retrieval step returned an outdated policy page because the index was not rebuilt "
    "after the March update, and no evaluation covered refund questions. "
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()

    rules = get_coach_rules()
    cases = {
        "typical section, 1,000 characters": (TYPICAL * 10)[:1_000],
        "worst case, 10,000 characters": (WORST_CASE * 100)[:10_000],
    }
    for label, text in cases.items():
        coach_text(text, rules=rules)  # warm the compiled patterns
        samples_ms = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            flags = coach_text(text, rules=rules)
            samples_ms.append((time.perf_counter() - start) * 1000)
        print(f"coach, {label}, {args.repeat} runs ({len(flags)} flags)")
        print(f"  median   {statistics.median(samples_ms):7.2f} ms")
        print(f"  p95      {percentile(samples_ms, 0.95):7.2f} ms")


if __name__ == "__main__":
    main()
