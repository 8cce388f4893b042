"""Where a reply's time goes: py-spy samples the Rasa server under load, grouped by component.

py-spy reads the server's stacks from outside (no code change, no restart),
so the profile is of the same process ``make run`` starts. Each sampled
stack is charged to the most specific component it passes through: a stack
inside the intent model also passes through the message processor, the
graph runner and Sanic, so the rules below are ordered from the most
specific to the most general. Native ONNX Runtime and spaCy work is charged
to the Python frame that called into it, which is the component that asked
for it.

    python -m bench.hotspots var/bench/profile-....txt      # summarise a recorded raw profile
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Optional

# (component, substrings of a frame "function (file:line)"); first rule matching any frame wins.
RULES: list[tuple[str, tuple[str, ...]]] = [
    ("Sentence encoder (ONNX Runtime, tokenizer)", ("bot/understanding/encoder.py", "bot/understanding/featurizer.py", "onnxruntime/", "tokenizers/")),
    ("Crisis model (bot/understanding/crisis_*, memory, rules)",
     ("bot/understanding/crisis_", "bot/understanding/memory.py", "bot/understanding/windows.py")),
    ("Intent model (bot/understanding/intent_*)", ("bot/understanding/intent_",)),
    ("Linear heads' n-grams and scoring (shared)", ("bot/understanding/linear.py", "sklearn/", "scipy/", "numpy/")),
    ("ContextExtractor (bot/understanding/context.py)", ("bot/understanding/context.py",)),
    ("SpacyTokenizer", ("spacy_tokenizer.py", "rasa/nlu/tokenizers/")),
    ("SpacyNLP", ("spacy_utils.py", "site-packages/spacy/")),
    ("NLU: other (regex intent parser, message objects)", ("rasa/nlu/", "rasa/shared/nlu/")),
    ("Policies (RulePolicy, Memoization, ensemble)", ("rasa/core/policies/",)),
    ("Lock store", ("lock_store.py",)),
    ("Tracker store: retrieve + save (SQL, redaction)", ("tracker_store.py", "bot/storage/tracker_store.py", "bot/storage/tracker_sql.py", "bot/storage/privacy.py")),
    ("NLG (ContextualNLG + templates)", ("rasa/core/nlg/", "bot/conversation/nlg.py", "bot/conversation/helplines.py", "bot/tenants/")),
    ("Crisis audit row", ("bot/storage/audit.py", "bot/storage/")),
    ("Action server call (HTTP client)", ("rasa/utils/endpoints.py", "aiohttp/")),
    ("Actions (run, events)", ("rasa/core/actions/",)),
    ("Graph runner (rasa.engine)", ("rasa/engine/",)),
    ("Tracker and events (rasa.shared.core)", ("rasa/shared/core/",)),
    ("Message processor (agent, processor)", ("rasa/core/processor.py", "rasa/core/agent.py")),
    ("Logging (structlog, logging)", ("structlog/", "/logging/")),
    ("REST channel + Sanic (HTTP, JSON)", ("rasa/core/channels/", "sanic/", "httptools", "ujson", "json/")),
    ("TensorFlow (outside a component)", ("tensorflow/", "keras/")),
    ("asyncio / event loop", ("asyncio/", "uvloop")),
]
OTHER = "other"

# Phases of a cold start, most specific first (imports inside a phase count for that phase).
STARTUP_RULES: list[tuple[str, tuple[str, ...]]] = [
    ("first message", ("channels/rest.py", "rasa/core/channels/channel.py")),
    ("unpack the model archive (tar.gz)", ("tarfile.py", "gzip.py", "shutil.py")),
    ("sentence encoder + crisis and intent models: load", ("bot/understanding/", "onnxruntime/", "tokenizers/", "sklearn/")),
    ("SpacyNLP: load the pipeline", ("spacy_utils.py", "site-packages/spacy/")),
    ("other components and policies load", ("rasa/engine/", "rasa/core/policies/", "rasa/nlu/")),
    ("tracker store, lock store, NLG, channels", ("tracker_store.py", "bot/storage/tracker_store.py", "bot/storage/tracker_sql.py", "lock_store.py", "bot/conversation/nlg.py", "bot/channels/")),
    ("domain and endpoints", ("rasa/shared/core/domain.py", "rasa/shared/utils/", "rasa/core/utils.py")),
    ("imports: TensorFlow, Rasa and the rest", ("importlib._bootstrap", "<frozen importlib")),
    ("Sanic start", ("sanic/",)),
]


def py_spy() -> Optional[str]:
    here = Path(sys.executable).with_name("py-spy")
    return str(here) if here.exists() else shutil.which("py-spy")


def start_recording(pid: int, seconds: float, raw: Path, rate: int = 100) -> subprocess.Popen:
    """py-spy in the background for ``seconds`` (it pauses the process ~``rate`` times a second to read its stacks)."""
    exe = py_spy()
    if exe is None:
        raise RuntimeError("py-spy is not installed (pip install -r requirements-dev.txt)")
    raw.parent.mkdir(parents=True, exist_ok=True)
    cmd = [exe, "record", "--pid", str(pid), "--duration", str(int(seconds)), "--rate", str(rate),
           "--format", "raw", "--output", str(raw), "--threads", "--full-filenames",
           # the Rasa workers are child processes of the one started
           "--subprocesses"]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def component(frames: list[str], rules: Optional[list[tuple[str, tuple[str, ...]]]] = None) -> str:
    for name, needles in rules or RULES:
        for frame in frames:
            if any(n in frame for n in needles):
                return name
    return OTHER


def _short(frame: str) -> str:
    """``func (/long/path/site-packages/rasa/core/x.py:12)`` -> ``rasa/core/x.py:func``."""
    func, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", "/work/main/", "python3.10/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{path}:{func}"


def parse(raw: Path) -> list[tuple[str, list[str], int]]:
    """[(thread name, frames root first, samples)] from py-spy's raw (collapsed) output.

    With ``--subprocesses`` each stack starts with its process; the thread
    name then carries the pid (``MainThread@1234``), so the event loops of
    several Rasa workers stay apart.
    """
    rows = []
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        parts = stack.split(";")
        process = ""
        while parts and parts[0].startswith("process "):  # parent first, the sampled process last
            process = "@" + parts[0].split()[1].split(":")[0]
            parts = parts[1:]
        if not parts:
            continue
        thread = parts[0].split(": ", 1)[-1] if parts[0].startswith("thread (") else "?"
        frames = parts[1:] if parts[0].startswith("thread (") else parts
        rows.append((thread + process, frames, int(count)))
    return rows


def summarise(raw: Path, seconds: float, rate: int, top: int = 15) -> dict[str, Any]:
    """Share of the busy main-thread samples per component, plus the hottest functions.

    py-spy is run without ``--idle``, so a sample exists only when a thread is
    running Python (or native code called from it): the main thread's samples
    over ``seconds * rate`` is how busy the event loop was.
    """
    rows = parse(raw)
    by_thread: Counter[str] = Counter()
    for thread, _, n in rows:
        by_thread[thread] += n
    main = [(f, n) for t, f, n in rows if t.split("@")[0] == "MainThread"]
    busy = sum(n for _, n in main)
    # Each process's event loop: the Sanic parent of several workers only
    # waits on them (a few samples); the workers' loops do the answering.
    loops: Counter[str] = Counter()
    for t, _, n in rows:
        if t.split("@")[0] == "MainThread":
            loops[t] += n
    serving = [n for n in loops.values() if n >= 0.05 * max(1, int(seconds * rate))] or [busy]

    components: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    leaf: Counter[str] = Counter()
    for frames, n in main:
        components[component(frames)] += n
        for name in {_short(f) for f in frames}:
            inclusive[name] += n
        if frames:
            leaf[_short(frames[-1])] += n
    expected = max(1, int(seconds * rate))

    def share(counter: Counter[str], limit: Optional[int] = None) -> list[dict[str, Any]]:
        return [{"name": k, "share": round(v / max(1, busy), 4), "samples": v} for k, v in counter.most_common(limit)]

    return {
        "raw": str(raw),
        "seconds": seconds,
        "rate_hz": rate,
        "main_thread_busy": round(busy / (expected * len(serving)), 3),
        "event_loops": len(serving),
        "event_loop_busy": [round(n / expected, 3) for n in sorted(serving, reverse=True)],
        "threads": dict(by_thread.most_common(8)),
        "components": share(components),
        "inclusive_top": share(inclusive, top * 3),
        "self_top": share(leaf, top),
    }


def startup_summary(raw: Path, cold_start_s: float) -> dict[str, Any]:
    """Seconds of the cold start per phase (main thread samples, converted with the sampling rate of 50 Hz)."""
    rows = parse(raw)
    phases: Counter[str] = Counter()
    for thread, frames, n in rows:
        if thread == "MainThread":
            phases[component(frames, STARTUP_RULES)] += n
    busy = sum(phases.values())
    return {
        "raw": str(raw),
        "cold_start_s": round(cold_start_s, 1),
        "main_thread_busy_s": round(busy / 50, 1),
        "phases": [{"name": k, "seconds": round(v / 50, 1)} for k, v in phases.most_common()],
    }


def markdown(summary: dict[str, Any], top: int = 12) -> str:
    lines = [
        f"Event loops sampled: {summary.get('event_loops', 1)} (one per Rasa worker process), busy "
        + ", ".join(f"{b:.0%}" for b in summary.get("event_loop_busy", [summary["main_thread_busy"]]))
        + f" of {summary['seconds']:.0f} s at {summary['rate_hz']} Hz; shares are of their busy samples together.",
        "",
        "| component | share |",
        "|---|---:|",
    ]
    lines += [f"| {c['name']} | {c['share']:.1%} |" for c in summary["components"]]
    lines += ["", "| hottest functions (self time) | share |", "|---|---:|"]
    lines += [f"| `{c['name']}` | {c['share']:.1%} |" for c in summary["self_top"][:top]]
    return "\n".join(lines)


def main(argv: Optional[list[str]] = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        print("usage: python -m bench.hotspots RAW [SECONDS] [RATE]", file=sys.stderr)
        return 2
    raw = Path(args[0])
    seconds = float(args[1]) if len(args) > 1 else 30.0
    rate = int(args[2]) if len(args) > 2 else 100
    summary = summarise(raw, seconds, rate)
    print(markdown(summary))
    print(json.dumps({k: summary[k] for k in ("main_thread_busy", "threads")}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
