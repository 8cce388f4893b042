"""``make bench``: the running bot under load, figure by figure against its targets.

Starts the bot as ``make run`` does (action server + Rasa server, SQLite
tracker store) on free ports with its databases in a temporary directory,
then drives its REST channel from a separate process (bench/loadgen.py) in
three shapes: one visitor (latency on an idle server), a closed loop of
concurrent visitors (capacity), and an open loop of Poisson arrivals
(latency under a given traffic). It also measures the cold start and the
peak memory of each server process, and times the crisis detector.
``--baseline`` repeats the same load on a stock ``rasa init`` bot in the same
run, since on a shared machine only the ratio is comparable from run to run;
``--train`` times a full training; ``--profile`` adds a py-spy pass.

Writes bench/results.json and bench/results.md and prints the table.

    python -m bench.run                       # bot only, about 3 minutes
    python -m bench.run --baseline --profile  # plus the stock bot and a profile
    make bench ARGS="--duration 60 --users 20 --rate 40"
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Optional

from bench import cpu
from bench import hotspots as profiler
from bench.baseline import ensure_baseline
from bench.levers.sitecustomize import PATCHES as LEVERS
from bench.report import document, missed
from bench.stack import RASA, MemoryWatch, Stack, start_baseline, start_bot, tail
from bot.core.settings import ROOT
from bot.runtime.run import rasa_env

RESULTS_JSON = ROOT / "bench" / "results.json"
RESULTS_MD = ROOT / "bench" / "results.md"
# The last measured full training, kept in the repository: timing it takes minutes of both
# cores, so ordinary runs (and fresh clones) report this figure, marked as not re-measured.
TRAINING_RECORD = ROOT / "bench" / "training.json"
PROFILES = ROOT / "var" / "bench"
MODEL = ROOT / "models" / "therapy.tar.gz"


def step(text: str) -> None:
    print(f"==> [bench] {text}", flush=True)


def loadgen(stack: Stack, shape: str, args: argparse.Namespace, out: Path, duration: float, seed: int) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "bench.loadgen", stack.url, "--shape", shape, "--users", str(args.users),
           "--rate", str(args.rate), "--duration", str(duration), "--warmup", str(args.warmup),
           "--timeout", str(args.timeout), "--seed", str(seed), "--out", str(out)]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen(cmd, cwd=ROOT, env=env)


def run_shape(stack: Stack, shape: str, args: argparse.Namespace, tmp: Path, repeat: int = 0,
              profile: bool = False) -> dict[str, Any]:
    duration = args.single_duration if shape == "single" else args.duration
    out = tmp / f"{stack.name}-{shape}-{repeat}{'-profiled' if profile else ''}.json"
    label = {"single": "one visitor", "closed": f"closed loop, {args.users} visitors",
             "open": f"open loop, {args.rate:g} msg/s"}[shape]
    of = f" (run {repeat + 1} of {args.repeats})" if args.repeats > 1 and not profile else ""
    step(f"{stack.name}: {label}{of}{' under py-spy' if profile else ''} ({args.warmup:g} s warm-up + {duration:g} s)")
    before = cpu.Snapshot.take(stack.pids())
    # Each repeat draws other messages; the bot and the baseline get the same ones in the same repeat.
    load = loadgen(stack, shape, args, out, duration, args.seed + repeat)
    spy: Optional[subprocess.Popen] = None
    raw = PROFILES / f"profile-{stack.name}-{datetime.now():%Y%m%d-%H%M%S}.txt"
    try:
        if profile:
            time.sleep(args.warmup + 1)
            spy = profiler.start_recording(stack.rasa.pid, max(1.0, duration - 2), raw, args.profile_rate)
        load.wait(timeout=args.warmup + duration + args.timeout + 120)
    finally:
        if load.poll() is None:
            load.kill()
        if spy is not None:
            try:
                spy.wait(timeout=duration + 30)
            except subprocess.TimeoutExpired:
                spy.kill()
    if load.returncode != 0 or not out.exists():
        raise RuntimeError(f"the load generator failed (exit {load.returncode})")
    result = json.loads(out.read_text(encoding="utf-8"))
    result["cpu"] = cpu.shares(before, cpu.Snapshot.take(stack.pids()), result.get("cpu_s", 0.0))
    if spy is not None:
        if spy.returncode != 0 or not raw.exists():
            err = spy.stderr.read() if spy.stderr else ""
            result["profile_error"] = f"py-spy exit {spy.returncode}: {err.strip()[-300:]}"
        else:
            summary = profiler.summarise(raw, max(1.0, duration - 2), args.profile_rate)
            summary["markdown"] = profiler.markdown(summary)
            result["profile"] = summary
    lat, use = result["latency_ms"], result["cpu"]
    step(f"   {result['replies_per_s']:.1f} replies/s, p50 {lat['p50']:.0f} ms, p95 {lat['p95']:.0f} ms, "
         f"p99 {lat['p99']:.0f} ms, errors {result['error_total']}; cores: servers {use['server_cores']:.2f}, "
         f"load generator {use['loadgen_cores']:.2f}, other programs {use['other_cores']:.2f}")
    return result


def measure(stacks: list[Stack], args: argparse.Namespace, tmp: Path) -> dict[str, dict[str, Any]]:
    """Every shape, ``args.repeats`` times, the stacks taking turns run by run.

    Interleaving puts the bot and the baseline side by side in time, so a
    neighbour that starts or stops mid-run moves both, not one; who goes first
    alternates between repeats. Each shape's figures are the median of its runs.
    """
    results: dict[str, dict[str, Any]] = {}
    for stack in stacks:
        step(f"{stack.name}: first answer {stack.cold_start_s:.1f} s after the Rasa server process started")
        results[stack.name] = {"cold_start_s": round(stack.cold_start_s, 2)}
    current: Optional[Stack] = None
    try:
        for shape in args.shapes:
            runs: dict[str, list[dict[str, Any]]] = {stack.name: [] for stack in stacks}
            for repeat in range(args.repeats):
                for current in (stacks if repeat % 2 == 0 else stacks[::-1]):
                    runs[current.name].append(run_shape(current, shape, args, tmp, repeat))
                    time.sleep(2)  # let the last replies drain before the next run starts
            for name, done in runs.items():
                results[name][shape] = aggregate(done)
        if args.profile:
            current = stacks[0]
            profiled = run_shape(current, "closed", args, tmp, profile=True)
            results[current.name]["profile"] = profiled.pop("profile", None) or {"error": profiled.get("profile_error")}
            results[current.name]["profile"]["replies_per_s_while_sampled"] = profiled["replies_per_s"]
    except BaseException:
        if current is not None:
            print(tail(current.log), file=sys.stderr)
        raise
    finally:
        for stack in stacks:
            results[stack.name]["memory"] = stack.close()
    return results


def aggregate(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One shape's runs as one result: medians, the spread (min, max), errors and crisis counts summed."""
    def med(values: list[float]) -> float:
        return round(statistics.median(values), 2)

    out = dict(runs[-1])
    out["repeats"] = len(runs)
    out["replies_per_s"] = med([r["replies_per_s"] for r in runs])
    out["latency_ms"] = {k: med([r["latency_ms"][k] for r in runs]) for k in runs[0]["latency_ms"]}
    errors: dict[str, int] = {}
    for r in runs:
        for kind, n in r["errors"].items():
            errors[kind] = errors.get(kind, 0) + n
    out["errors"], out["error_total"] = errors, sum(errors.values())
    out["crisis"] = {k: sum(r["crisis"][k] for r in runs) for k in runs[0]["crisis"]}
    out["cpu"] = {k: med([r["cpu"][k] for r in runs]) for k in runs[0]["cpu"]}
    out["cpu"]["other_cores_worst"] = max(r["cpu"]["other_cores"] for r in runs)
    # The Rasa server's CPU per reply depends little on the neighbours: the figure to compare across machines.
    out["cpu"]["server_ms_per_reply"] = med([1000 * r["cpu"]["server_cpu_s"] / max(1, r.get("ok_all", r["ok"])) for r in runs])
    out["spread"] = {
        "replies_per_s": [min(r["replies_per_s"] for r in runs), max(r["replies_per_s"] for r in runs)],
        **{p: [min(r["latency_ms"][p] for r in runs), max(r["latency_ms"][p] for r in runs)] for p in ("p50", "p95", "p99")},
    }
    out["runs"] = [{"replies_per_s": r["replies_per_s"], "latency_ms": r["latency_ms"], "error_total": r["error_total"],
                    "cpu": r["cpu"]} for r in runs]
    return out


def crisis_detector() -> dict[str, Any]:
    """bench/crisis_model.py's mean and p99 per message (it has the message set; it is not rewritten here)."""
    step("sentence encoder + crisis model: time per message")
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "crisis_model.py")], cwd=ROOT, capture_output=True,
                         text=True, timeout=600, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    found = re.search(r"mean: ([\d.]+) us/message\s+p99: ([\d.]+) us/message", out.stdout)
    if not found:
        return {"error": (out.stdout + out.stderr).strip()[-300:]}
    return {"mean_us": float(found.group(1)), "p99_us": float(found.group(2))}


def measure_training(tmp: Path) -> dict[str, Any]:
    """Wall time and peak memory of ``rasa train --force`` into a temporary directory (models/ is untouched)."""
    step("full training: rasa train --force (several minutes; both cores)")
    env = rasa_env()
    env["RASA_CACHE_DIRECTORY"] = str(tmp / "train-cache")  # --force trains every component; keep the cache out of .rasa/
    cmd = [RASA, "train", "--config", "config.yml", "--domain", "domain.yml", "--data", "data", "--out", str(tmp / "train-models"),
           "--fixed-model-name", "therapy", "--force", "--quiet"]
    watch = MemoryWatch()
    log = tmp / "train.log"
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with log.open("w") as out:
        started = time.monotonic()
        process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        watch.watch("train", process.pid)
        code = process.wait(timeout=3600)
    seconds = time.monotonic() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU seconds as well as wall time: on a shared machine the wall time depends on the neighbours.
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    memory = watch.report()["train"]
    watch.close()
    if code != 0:
        raise RuntimeError(f"training failed (exit {code}):\n{tail(log)}")
    return {"seconds": round(seconds, 1), "cpu_seconds": round(cpu, 1), "peak_mb": memory["peak_mb"], "measured": True,
            "recorded": datetime.now(timezone.utc).strftime("%Y-%m-%d")}


def previous_training() -> dict[str, Any]:
    """The last measured training figure (bench/training.json), marked as not re-measured."""
    try:
        train = json.loads(TRAINING_RECORD.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(train, dict) or train.get("seconds") is None:
        return {}
    return {**train, "measured": False}


def noise(results: dict[str, Any]) -> list[str]:
    """Why this run's figures should not be trusted, if they should not (empty when the machine was quiet)."""
    found = []
    before = results["machine"].get("busy_cores_before", 0.0)
    if before > cpu.NOISY_CORES:
        found.append(f"{before:.2f} cores busy before the run started (> {cpu.NOISY_CORES:g})")
    for name in ("bot", "baseline"):
        for shape, result in (results.get(name) or {}).items():
            if not isinstance(result, dict) or "runs" not in result:
                continue
            worst = max(r["cpu"]["other_cores"] for r in result["runs"])
            if worst > cpu.NOISY_CORES:
                found.append(f"other programs used {worst:.2f} cores during a {name} {shape} run (> {cpu.NOISY_CORES:g})")
    return found


def commit() -> str:
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True,
                               text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"
    return f"{rev}{' (uncommitted changes)' if dirty else ''}"


def parse_args(argv: Optional[list[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make bench ARGS=...", description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=30.0, help="measured seconds of the closed and open loops (default 30)")
    parser.add_argument("--single-duration", type=float, default=15.0, help="measured seconds of the single-visitor run (default 15)")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of load before each measurement, not counted (default 5)")
    parser.add_argument("--users", type=int, default=20, help="closed loop: concurrent visitors (default 20)")
    parser.add_argument("--rate", type=float, default=40.0, help="open loop: messages per second (default 40)")
    parser.add_argument("--timeout", type=float, default=10.0, help="per-request timeout in seconds, counted as an error (default 10)")
    parser.add_argument("--seed", type=int, default=1, help="the visitors' random draws (default 1)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each shape; figures are their median (default 3)")
    parser.add_argument("--shapes", default="single,closed,open", help="which loads, in order (default single,closed,open)")
    parser.add_argument("--baseline", action="store_true", help="run the same load on a stock `rasa init` bot (built once, cached in var/bench/)")
    parser.add_argument("--train", action="store_true", help="time a full `rasa train --force` (minutes); otherwise the last figure is reused")
    parser.add_argument("--profile", action="store_true", help="an extra closed-loop pass under py-spy, summarised by component")
    parser.add_argument("--profile-rate", type=int, default=100, help="py-spy samples per second (default 100)")
    parser.add_argument("--profile-startup", action="store_true", help="py-spy on the Rasa server from its start to its first answer")
    parser.add_argument("--no-crisis-detector", dest="crisis_detector", action="store_false", help="skip bench/crisis_model.py")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="extra environment for the bot's servers, e.g. SANIC_WORKERS=2 (repeatable)")
    parser.add_argument("--lever", action="append", default=[], choices=sorted(LEVERS),
                        help="measure a proposed change (bench/levers/sitecustomize.py) on the bot's Rasa server (repeatable)")
    parser.add_argument("--model", default="models",
                        help="the bot's model (default: models/, as `make run`); e.g. one trained from a proposed config")
    parser.add_argument("--tracker-store", choices=["sql", "memory"], default="sql",
                        help="memory: measure the bot with Rasa's in-memory tracker store instead of its SQL one")
    args = parser.parse_args(argv)
    args.shapes = [s.strip() for s in args.shapes.split(",") if s.strip()]
    if not set(args.shapes) <= {"single", "closed", "open"}:
        parser.error("--shapes takes single, closed and/or open")
    if not 1 <= args.repeats <= 9:
        parser.error("--repeats takes 1 to 9")
    if not (1 <= args.users <= 200 and 0 < args.rate <= 500 and 0 < args.duration <= 1800 and 0 < args.single_duration <= 1800):
        parser.error("users 1-200, rate up to 500/s, durations up to 1800 s")
    if any("=" not in e for e in args.env):
        parser.error("--env takes NAME=VALUE")
    return args


def main(argv: Optional[list[str]] = None) -> int:
    args = parse_args(argv)
    if args.model == "models" and not MODEL.exists():
        print(f"error: {MODEL} is missing: run `make train` (make bench does it)", file=sys.stderr)
        return 2
    results: dict[str, Any] = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "make bench" + (f" ARGS={shlex.quote(' '.join(argv if argv is not None else sys.argv[1:]))}"
                                   if (argv if argv is not None else sys.argv[1:]) else ""),
        "commit": commit(),
        "machine": {"cpus": os.cpu_count(), "loadavg_before": [round(x, 2) for x in os.getloadavg()],
                    "busy_cores_before": round(cpu.busy_cores(), 3)},
        "options": {k: getattr(args, k) for k in ("duration", "single_duration", "warmup", "users", "rate", "timeout", "seed", "shapes", "repeats",
                                                  "env", "lever", "tracker_store", "model")},
        "notes": [],
    }
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp_name:
        tmp = Path(tmp_name)
        if args.crisis_detector:
            results["crisis_detector"] = crisis_detector()
        step("starting the bot as `make run` does (action server + Rasa server, SQLite, temporary var dir)")
        extra = dict(e.split("=", 1) for e in args.env)
        if args.lever or args.tracker_store != "sql" or extra or args.model != "models":
            results["notes"].append(
                f"the bot ran with measured changes: levers {args.lever or 'none'}, tracker store {args.tracker_store}, "
                f"environment {extra or 'unchanged'}, model {args.model}"
            )
        startup = PROFILES / f"startup-bot-{datetime.now():%Y%m%d-%H%M%S}.txt" if args.profile_startup else None
        stacks = [start_bot(tmp / "bot", extra, args.lever, args.tracker_store, startup, args.model)]
        if startup is not None and startup.exists():
            results["startup_profile"] = profiler.startup_summary(startup, stacks[0].cold_start_s)
        if args.baseline:
            try:
                project, model, trained = ensure_baseline(tmp / "baseline-init.log")
                if trained is not None:
                    results["notes"].append(f"stock baseline built and trained in {trained:.0f} s (rasa init --no-prompt)")
                step("starting the stock rasa init bot (default config, in-memory tracker store)")
                stacks.append(start_baseline(project, model, tmp / "baseline"))
            except BaseException:
                stacks[0].close()
                raise
        measured = measure(stacks, args, tmp)
        results["bot"] = measured["bot"]
        if "startup_profile" in results:
            results["bot"]["startup_profile"] = results.pop("startup_profile")
        if args.baseline:
            results["baseline"] = measured["baseline"]
        results["machine"]["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
        if args.train:
            results["train"] = measure_training(tmp)
            record = {k: results["train"][k] for k in ("seconds", "cpu_seconds", "peak_mb", "recorded")}
            record["loadavg_before"] = results["machine"]["loadavg_before"]
            TRAINING_RECORD.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        else:
            results["train"] = previous_training()
    results["noise"] = noise(results)
    RESULTS_JSON.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    markdown = document(results)
    RESULTS_MD.write_text(markdown, encoding="utf-8")
    print()
    print(markdown)
    print(f"==> [bench] written {RESULTS_JSON.relative_to(ROOT)} and {RESULTS_MD.relative_to(ROOT)}")
    if results["noise"]:
        print("==> [bench] the machine was too noisy to trust these figures: " + "; ".join(results["noise"]), file=sys.stderr)
    misses = missed(results)
    if misses:
        print("==> [bench] targets missed: " + "; ".join(misses), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
