"""The benchmark's results as a markdown table, each figure beside its target.

Targets are benchmarks for this project's 2-core machine, not pass/fail
tests: a shared or busy machine moves the absolute figures, which is why a
stock baseline can be measured in the same run and the ratio shown.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

# name -> (test, text of the target)
TARGETS: dict[str, tuple[Callable[[float], bool], str]] = {
    "closed_rps": (lambda v: v >= 80, "≥ 80/s"),
    "errors": (lambda v: v == 0, "0"),
    "open_p95": (lambda v: v <= 100, "≤ 100 ms"),
    "open_p99": (lambda v: v <= 250, "≤ 250 ms"),
    "single_p50": (lambda v: v <= 25, "≤ 25 ms"),
    "cold_start": (lambda v: v <= 20, "≤ 20 s"),
    "rss": (lambda v: v <= 1200, "≤ 1.2 GB"),
    "train": (lambda v: v <= 240, "≤ 4 min"),
    "crisis_us": (lambda v: v <= 10_000, "≤ 10 ms"),
    "helpline": (lambda v: v == 0, "0"),
}


def verdict(key: str, value: Optional[float]) -> str:
    test, text = TARGETS[key]
    if value is None:
        return text
    return f"{text} {'✔' if test(value) else '✘'}"


def _get(run: Optional[dict[str, Any]], *path: str) -> Any:
    node: Any = run
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def _num(value: Any, fmt: str = "{:.0f}") -> str:
    return "—" if value is None else fmt.format(value)


def _ratio(bot: Any, base: Any) -> str:
    if not isinstance(bot, (int, float)) or not isinstance(base, (int, float)) or not base:
        return ""
    return f"{bot / base:.2f}×"


def _minutes(seconds: Optional[float]) -> str:
    if seconds is None:
        return "—"
    return f"{int(seconds // 60)} min {int(round(seconds % 60))} s"


def table(results: dict[str, Any]) -> str:
    bot, base = results.get("bot"), results.get("baseline")
    opts = results["options"]
    rows: list[tuple[str, Any, Any, str, str, str]] = []  # what, bot, base, ratio, target, fmt

    def add(what: str, path: tuple[str, ...], target: Optional[str] = None, fmt: str = "{:.0f}", ratio: bool = True) -> None:
        b, s = _get(bot, *path), _get(base, *path)
        rows.append((what, _num(b, fmt), _num(s, fmt) if base else "", _ratio(b, s) if ratio and base else "",
                     verdict(target, b) if target else "", ""))

    n, rate = opts["users"], opts["rate"]
    add(f"closed loop, {n} users: replies/s", ("closed", "replies_per_s"), "closed_rps", "{:.1f}")
    for p in ("p50", "p95", "p99"):
        add(f"closed loop: {p} latency (ms)", ("closed", "latency_ms", p))
    add("closed loop: errors (non-200, empty, timeout)", ("closed", "error_total"), "errors", ratio=False)
    add(f"open loop, {rate:g} msg/s: replies/s", ("open", "replies_per_s"), None, "{:.1f}")
    add("open loop: p50 latency (ms)", ("open", "latency_ms", "p50"))
    add("open loop: p95 latency (ms)", ("open", "latency_ms", "p95"), "open_p95")
    add("open loop: p99 latency (ms)", ("open", "latency_ms", "p99"), "open_p99")
    add("open loop: errors (non-200, empty, timeout, dropped)", ("open", "error_total"), "errors", ratio=False)
    add("single user: p50 latency (ms)", ("single", "latency_ms", "p50"), "single_p50", "{:.1f}")
    add("single user: p95 latency (ms)", ("single", "latency_ms", "p95"), None, "{:.1f}")
    add("cold start: process start → first answer (s)", ("cold_start_s",), "cold_start", "{:.1f}")
    add("peak RSS, Rasa server process (MB)", ("memory", "rasa", "peak_mb"), "rss")
    add("RSS of that process after the load (MB)", ("memory", "rasa", "rss_end_mb"))
    if _get(bot, "memory", "actions", "peak_mb") is not None:
        add("peak RSS, action server process (MB)", ("memory", "actions", "peak_mb"), None, ratio=False)
    crisis_n = sum(_get(bot, s, "crisis", "n") or 0 for s in ("closed", "open", "single"))
    missed = sum(_get(bot, s, "crisis", "without_helpline") or 0 for s in ("closed", "open", "single"))
    unanswered = sum(_get(bot, s, "crisis", "unanswered") or 0 for s in ("closed", "open", "single"))
    if bot:
        rows.append((f"crisis messages under load answered without a hotline number (of {crisis_n})", str(missed), "", "",
                     verdict("helpline", missed), ""))
        rows.append((f"crisis messages under load not answered in time (of {crisis_n}; in the errors too)", str(unanswered), "", "",
                     verdict("helpline", unanswered), ""))
    train = results.get("train") or {}
    if train.get("seconds") is not None:
        note = "" if train.get("measured") else f" (recorded {train.get('recorded', '?')}, not re-measured; `--train` measures it)"
        rows.append((f"full training, `rasa train --force`{note}", _minutes(train["seconds"]), "", "",
                     verdict("train", train["seconds"]), ""))
    else:
        rows.append(("full training (`make bench ARGS=--train`)", "not measured", "", "", verdict("train", None), ""))
    if train.get("peak_mb") is not None:
        rows.append(("peak RSS during training (MB)", f"{train['peak_mb']:.0f}", "", "", "", ""))
    crisis = results.get("crisis_detector") or {}
    if crisis.get("mean_us") is not None:
        rows.append(("sentence encoder + crisis model per message: mean / p99 (µs)", f"{crisis['mean_us']:.0f} / {crisis['p99_us']:.0f}", "", "",
                     verdict("crisis_us", crisis["mean_us"]), ""))

    header = "| what | bot | stock rasa init | bot ÷ stock | target |\n|---|---:|---:|---:|---|" if base else \
        "| what | bot | target |\n|---|---:|---|"
    lines = [header]
    for what, b, s, r, t, _ in rows:
        lines.append(f"| {what} | {b} | {s} | {r} | {t} |" if base else f"| {what} | {b} | {t} |")
    return "\n".join(lines)


def document(results: dict[str, Any]) -> str:
    opts = results["options"]
    machine = results.get("machine", {})
    parts = [
        "# Bot benchmark",
        "",
        f"{results['date']} · commit {results.get('commit', '?')} · {machine.get('cpus', '?')} CPUs · "
        f"load average before the run {machine.get('loadavg_before', '?')}",
        "",
        f"Command: `{results['command']}`. Load: closed loop {opts['users']} users × {opts['duration']:g} s, "
        f"open loop {opts['rate']:g} msg/s × {opts['duration']:g} s, single user × {opts['single_duration']:g} s, "
        f"each after {opts['warmup']:g} s of warm-up that is not counted; per-request timeout {opts['timeout']:g} s.",
        "",
        table(results),
    ]
    mix = _get(results.get("bot"), "closed", "mix")
    if mix:
        parts += ["", "Message mix (closed loop): " + ", ".join(f"{k} {v:.0%}" for k, v in mix.items()) + "."]
    profile = _get(results.get("bot"), "profile", "markdown")
    if profile:
        parts += ["", "## Profile of the Rasa server under the closed-loop load (py-spy)", "", profile]
    notes = results.get("notes") or []
    if notes:
        parts += ["", *(f"- {n}" for n in notes)]
    return "\n".join(parts) + "\n"
