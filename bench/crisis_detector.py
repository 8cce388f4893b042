"""Benchmark for the crisis detector (not a test).

Times ``detect()`` over a few hundred varied messages (short chat lines and
~1,000-2,000 character ones, with and without crisis language) after a
warm-up, prints mean and p99 microseconds per message, and exits non-zero if
the mean exceeds 1 ms.

    .venv/bin/python bench/crisis_detector.py
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.crisis.detector import get_detector  # noqa: E402

LIMIT_US = 1000.0

SHORT = [
    "how much does therapy cost",
    "what is the difference between a psychologist and a psychiatrist",
    "i feel anxious all the time",
    "can i do therapy online?",
    "my boss is killing me with deadlines lol",
    "i'm dying to know if cbt works for insomnia",
    "i want to die",
    "i dont want to be here anymore",
    "my husband hits me",
    "i took a lot of pills",
    "someone is breaking in",
    "my friend wants to kill herself",
    "im not suicidal just tired",
    "do therapists have to report abuse?",
    "i cut myself again last night",
    "hi",
    "thank you so much",
    "I WANT TO KMS",
    "i want to dieeee 😭😭",
    "can therapy help with grief after my dad passed away",
]

FILLER = [
    "I have been thinking about starting therapy for a while now.",
    "My insurance plan is confusing and I am not sure what it covers.",
    "Work has been stressful, with long hours and a difficult manager.",
    "I tried a meditation app but it did not really help with my sleep.",
    "My partner suggested I talk to someone about my anxiety.",
    "Is there a difference between counseling and psychotherapy?",
    "I would prefer evening sessions if that is possible at all.",
    "Sometimes I feel overwhelmed by small things like emails or chores.",
    "I moved to a new city last year and I do not know many people here.",
    "My sister recommended a therapist but the waiting list is three months.",
]

CRISIS_TAILS = [
    "Honestly I just want to die and I do not know who to tell.",
    "Last night I took a whole bottle of sleeping pills.",
    "My boyfriend choked me again and I am scared to go home.",
    "My son keeps cutting himself and I found blood on his sheets.",
    "",
    "",
    "",
]


def _long(rng: random.Random, target: int) -> str:
    parts = []
    while sum(len(p) + 1 for p in parts) < target:
        parts.append(rng.choice(FILLER))
    text = " ".join(parts)
    tail = rng.choice(CRISIS_TAILS)
    if tail:
        cut = rng.randrange(len(parts))
        parts.insert(cut, tail)
        text = " ".join(parts)
    return text[: target + 200]


def messages(n_short: int = 250, n_long: int = 100, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    out = [rng.choice(SHORT) for _ in range(n_short)]
    out += [_long(rng, rng.choice((1000, 1500, 2000))) for _ in range(n_long)]
    rng.shuffle(out)
    return out


def main() -> int:
    det = get_detector()
    msgs = messages()
    for m in msgs:  # warm-up
        det.detect(m)
    times = []
    for _ in range(3):
        for m in msgs:
            t = time.perf_counter()
            det.detect(m)
            times.append((time.perf_counter() - t) * 1e6)
    times.sort()
    mean = statistics.fmean(times)
    p99 = times[int(len(times) * 0.99) - 1]
    longest = max(len(m) for m in msgs)
    print(f"messages: {len(msgs)} (longest {longest} chars), runs: {len(times)}")
    print(f"mean: {mean:.1f} us/message   p99: {p99:.1f} us/message   max: {times[-1]:.1f} us")
    if mean > LIMIT_US:
        print(f"FAIL: mean above {LIMIT_US:.0f} us")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
