"""Benchmark: the blameless-language coach on one practice section (median, p95).

Coaching runs as the learner types (debounced), and the review mode and the no-JS practice post
coach every field a visitor sends, so one full section must stay quick whatever it contains:
the worked example's sections, a worst case of 10,000 characters (the section cap) of repeated
blameful sentences, and adversarial inputs built to make a backtracking regex engine or a
per-phrase analysis slow (repeated separators, apostrophes, long words, `a-a-a-…`, `'''…`,
every word a phrase to check, `if only ` repeated: one flag every 8 characters). Target: p95 <=
30 ms for 10,000 characters.

Wall-clock times are what a request waits; CPU times (this process only) are printed too,
because on a shared machine the wall clock mostly measures the other processes.

Run: .venv/bin/python bench/coach.py [--repeat 200] [--size 10000]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from percentiles import percentile

from postmortems.coach import coach_text, get_coach_rules

WORST_CASE = (
    "Zandile Mokoena and the team saw it but they failed to act, and failed to page, and "
    "the reviewer should have caught it; Sam broke the build. "
)
TYPICAL = (
    "At 14:02 the support assistant told a customer that refunds were available for 90 days. "
    "The retrieval step returned an outdated policy page because the index was not rebuilt "
    "after the March update, and no evaluation covered refund questions. "
)
# Words that each start a phrase the coach checks, some needing the subject analysis.
TRIGGERS = [
    *("Sam", "Priya", "Kwame", "the", "reviewer", "team", "support", "they", "and", "but"),
    *("who", "which", "failed", "to", "ignored", "missed", "should", "have", "been"),
    *("noticed", "known", "lied", "lazy", "lapse", "by", "bothered", "human", "error", "if"),
    *("only", "forgot", "mistake", "fault's", "engineer's", ",", ";", ".", "—"),
]


def shuffled_triggers(size: int) -> str:
    """Trigger words in a seeded random order, so no window repeats (no cache helps)."""
    rng = random.Random(15)
    words: list[str] = []
    length = 0
    while length < size:
        word = rng.choice(TRIGGERS)
        words.append(word)
        length += len(word) + 1
    return " ".join(words)[:size]


def cases(size: int) -> dict[str, str]:
    return {
        "typical section": (TYPICAL * (size // len(TYPICAL) + 1))[: size // 10],
        "worst case, repeated blame": (WORST_CASE * (size // len(WORST_CASE) + 1))[:size],
        "a-a-a-…": ("a-" * size)[:size],
        "A-A-A-…": ("A-" * size)[:size],
        "'''…": "'" * size,
        "a'a'a'…": ("a'" * size)[:size],
        "Sam's's's…": ("Sam's" + "'s" * size)[:size],
        "spaces after a name": "Sam" + " " * (size - 9) + "forgot",
        "repeated separators , ; . —": (", ; . — " * size)[:size],
        "newlines": "\n" * size,
        "one long word": "a" * size,
        "one long capitalised word": "Z" + "a" * (size - 1),
        "should + spaces + have": "should" + " " * (size - 10) + "have",
        "names without verbs": ("Sam Priya Kwame " * size)[:size],
        "every word a trigger, repeated": ("they failed to ignored " * size)[:size],
        "every word a trigger, shuffled": shuffled_triggers(size),
        '"if only " repeated': ("if only " * size)[:size],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--size", type=int, default=10_000)
    args = parser.parse_args()

    rules = get_coach_rules()
    print(f"coach, {args.repeat} runs per input; median and p95 in ms, wall clock | CPU")
    for label, text in cases(args.size).items():
        coach_text(text, rules=rules)  # warm the compiled patterns and the subject cache
        wall_ms, cpu_ms = [], []
        for _ in range(args.repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            flags = coach_text(text, rules=rules)
            wall_ms.append((time.perf_counter() - start) * 1000)
            cpu_ms.append((time.process_time() - start_cpu) * 1000)
        label = f"{label} ({len(text):,} chars, {len(flags)} flags)"
        print(
            f"  {label:62s} median {statistics.median(wall_ms):6.2f}"
            f"  p95 {percentile(wall_ms, 0.95):6.2f}"
            f" | median {statistics.median(cpu_ms):6.2f}  p95 {percentile(cpu_ms, 0.95):6.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
