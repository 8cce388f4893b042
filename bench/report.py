"""The benchmark's results as a markdown table, each figure beside its target.

Targets are benchmarks for this project's 2-core machine, not unit tests:
``make bench`` exits non-zero when one is missed. A shared or busy machine
moves the absolute figures, which is why capacity is judged as a ratio to a
stock bot measured in the same run (``--baseline``), and why every run reports
who used the CPU while it was measured.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from bench.cpu import NOISY_CORES, QUIET_CHECK_S

# name -> (test, text of the target)
TARGETS: dict[str, tuple[Callable[[float], bool], str]] = {
    "closed_rps": (lambda v: v >= 80, "≥ 80/s"),
    "closed_ratio": (lambda v: v >= 5, "≥ 5× stock"),
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


def _spread(run: Optional[dict[str, Any]], path: tuple[str, ...], fmt: str) -> str:
    """" (min–max)" over the repeats of a shape, for the figures whose spread is recorded."""
    key = path[-1] if path[-1] in ("p50", "p95", "p99", "replies_per_s") else None
    spread = _get(run, path[0], "spread", key) if key and len(path) > 1 else None
    repeats = _get(run, path[0], "repeats") or 1
    if not spread or repeats < 2:
        return ""
    return f" ({fmt.format(spread[0])}–{fmt.format(spread[1])})"


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
        if target == "closed_rps" and base:  # capacity is judged against the stock bot when it ran
            check = verdict("closed_ratio", b / s) if isinstance(b, (int, float)) and s else verdict("closed_ratio", None)
        else:
            check = verdict(target, b) if target else ""
        rows.append((what, _num(b, fmt) + _spread(bot, path, fmt), (_num(s, fmt) + _spread(base, path, fmt)) if base else "",
                     _ratio(b, s) if ratio and base else "", check, ""))

    n, rate = opts["users"], opts["rate"]
    add(f"closed loop, {n} users: replies/s", ("closed", "replies_per_s"), "closed_rps", "{:.1f}")
    add("closed loop: server CPU per reply (ms, all server processes)", ("closed", "cpu", "server_ms_per_reply"), None, "{:.1f}")
    add(f"closed loop: cores used by the load generator (of {results.get('machine', {}).get('cpus', '?')})",
        ("closed", "cpu", "loadgen_cores"), None, "{:.2f}", ratio=False)
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
    worst = max((_get(r, shape, "cpu", "other_cores_worst") or 0.0 for r in (bot, base) if r
                 for shape in ("single", "closed", "open")), default=None)
    if worst is not None:
        rows.append(("other programs' CPU during the worst measured run (cores)", f"{worst:.2f}", "", "", "", ""))
    add("cold start: process start → first answer (s)", ("cold_start_s",), "cold_start", "{:.1f}")
    add("peak RSS, Rasa server process (MB)", ("memory", "rasa", "peak_mb"), "rss")
    add("RSS of that process after the load (MB)", ("memory", "rasa", "rss_end_mb"))
    if _get(bot, "memory", "actions", "peak_mb") is not None:
        add("peak RSS, action server process (MB)", ("memory", "actions", "peak_mb"), None, ratio=False)
    crisis_n = sum(_get(bot, s, "crisis", "n") or 0 for s in ("closed", "open", "single"))
    missed = sum(_get(bot, s, "crisis", "without_helpline") or 0 for s in ("closed", "open", "single"))
    unanswered = sum(_get(bot, s, "crisis", "unanswered") or 0 for s in ("closed", "open", "single"))
    if bot:
        # Which crisis messages get a number is the crisis model's recall (`make eval-crisis`), the same
        # with or without load; what load can break is the answer itself, so only that is a target here.
        rows.append((f"crisis messages under load answered without a hotline number (of {crisis_n})", str(missed), "", "",
                     "model recall, not load: `make eval-crisis`", ""))
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


def missed(results: dict[str, Any]) -> list[str]:
    """The targets this run missed, one line each (empty when all held)."""
    bot, base = results.get("bot") or {}, results.get("baseline")
    checks: list[tuple[str, str, Optional[float]]] = []
    rps = _get(bot, "closed", "replies_per_s")
    if base and rps is not None and _get(base, "closed", "replies_per_s"):
        checks.append(("closed_ratio", "capacity ÷ stock", rps / base["closed"]["replies_per_s"]))
    elif not base:
        checks.append(("closed_rps", "capacity", rps))
    for shape in ("closed", "open", "single"):
        checks.append(("errors", f"{shape} errors", _get(bot, shape, "error_total")))
    checks += [("open_p95", "open loop p95", _get(bot, "open", "latency_ms", "p95")),
               ("open_p99", "open loop p99", _get(bot, "open", "latency_ms", "p99")),
               ("single_p50", "single visitor p50", _get(bot, "single", "latency_ms", "p50")),
               ("cold_start", "cold start", _get(bot, "cold_start_s")),
               ("rss", "peak RSS of the Rasa server", _get(bot, "memory", "rasa", "peak_mb")),
               ("crisis_us", "encoder + crisis model", _get(results, "crisis_detector", "mean_us"))]
    for shape in ("closed", "open", "single"):
        checks.append(("helpline", f"{shape}: crisis messages not answered in time",
                       _get(bot, shape, "crisis", "unanswered")))
    train = results.get("train") or {}
    if train.get("measured"):
        checks.append(("train", "full training", train.get("seconds")))
    return [f"{what} {value:g} (target {TARGETS[key][1]})" for key, what, value in checks
            if value is not None and not TARGETS[key][0](value)]


def document(results: dict[str, Any]) -> str:
    opts = results["options"]
    machine = results.get("machine", {})
    parts = [
        "# Bot benchmark",
        "",
        f"{results['date']} · commit {results.get('commit', '?')} · {machine.get('cpus', '?')} CPUs · "
        f"cores busy just before the run {machine.get('busy_cores_before', '?')}; "
        f"load average before {machine.get('loadavg_before', '?')}, after {machine.get('loadavg_after', '?')}",
        "",
        f"Command: `{results['command']}`. Load: closed loop {opts['users']} users × {opts['duration']:g} s, "
        f"open loop {opts['rate']:g} msg/s × {opts['duration']:g} s, single user × {opts['single_duration']:g} s, "
        f"each after {opts['warmup']:g} s of warm-up that is not counted; per-request timeout {opts['timeout']:g} s. "
        f"Each shape ran {opts.get('repeats', 1)} times{', the bot and the stock bot taking turns' if results.get('baseline') else ''}: "
        "figures are the medians, (min–max) the spread.",
        "",
        table(results),
    ]
    mix = _get(results.get("bot"), "closed", "mix")
    if mix:
        parts += ["", "Message mix (closed loop): " + ", ".join(f"{k} {v:.0%}" for k, v in mix.items()) + "."]
    profile = _get(results.get("bot"), "profile", "markdown")
    if profile:
        parts += ["", "## Profile of the Rasa server under the closed-loop load (py-spy)", "", profile]
    noisy = results.get("noise") or []
    parts += ["", ("**The machine was too noisy to trust these figures:** " + "; ".join(noisy) + ".") if noisy else
              f"The machine was quiet: at most {NOISY_CORES:g} cores were busy in the {QUIET_CHECK_S:g} s before the run, "
              f"and no measured run lost more than that to other programs."]
    notes = results.get("notes") or []
    if notes:
        parts += ["", *(f"- {n}" for n in notes)]
    return "\n".join(parts) + "\n"
