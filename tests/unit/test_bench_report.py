"""The benchmark's arithmetic: medians over repeats, CPU shares, noise and the exit on a missed target."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from bench import cpu
from bench.report import document, missed
from bench.run import aggregate, noise


def run(rps: float, p95: float = 50.0, errors: int = 0, other: float = 0.0, server_cpu_s: float = 10.0) -> dict[str, Any]:
    return {
        "replies_per_s": rps, "ok": 100, "ok_all": 200, "errors": {"timeout": errors} if errors else {}, "error_total": errors,
        "latency_ms": {"p50": 10.0, "p90": 20.0, "p95": p95, "p99": 2 * p95, "max": 300.0, "mean": 12.0},
        "crisis": {"n": 5, "without_helpline": 0, "unanswered": 0},
        "cpu": {"wall_s": 40.0, "machine_cores": 1.9, "server_cores": 1.4, "loadgen_cores": 0.4, "other_cores": other,
                "server_cpu_s": server_cpu_s},
    }


def results(bot_rps: list[float], base_rps: list[float], other: float = 0.0) -> dict[str, Any]:
    def stack(rates: list[float]) -> dict[str, Any]:
        shapes = {shape: aggregate([run(r, other=other) for r in rates]) for shape in ("closed", "open", "single")}
        shapes["single"]["latency_ms"]["p50"] = 12.0
        return {**shapes, "cold_start_s": 12.0, "memory": {"rasa": {"peak_mb": 700.0, "rss_end_mb": 650.0}}}

    return {"date": "2026-12-05 02:00 UTC", "command": "make bench ARGS=--baseline", "commit": "abc",
            "machine": {"cpus": 2, "loadavg_before": [1.5, 0.6, 0.2], "loadavg_after": [1.9, 1.0, 0.5],
                        "busy_cores_before": 0.02},
            "options": {"duration": 30.0, "single_duration": 15.0, "warmup": 5.0, "users": 20, "rate": 40.0, "timeout": 10.0,
                        "repeats": len(bot_rps)},
            "bot": stack(bot_rps), "baseline": stack(base_rps), "notes": [], "train": {}}


def test_a_shape_reports_the_median_of_its_runs_and_their_spread() -> None:
    shape = aggregate([run(100.0, p95=40.0), run(130.0, p95=90.0, errors=1), run(110.0, p95=60.0)])
    assert shape["replies_per_s"] == 110.0
    assert shape["latency_ms"]["p95"] == 60.0
    assert shape["spread"]["replies_per_s"] == [100.0, 130.0]
    assert shape["spread"]["p99"] == [80.0, 180.0]
    assert shape["error_total"] == 1 and shape["crisis"]["n"] == 15
    assert shape["cpu"]["server_ms_per_reply"] == 50.0  # 10 CPU seconds over 200 replies


def test_capacity_is_judged_as_a_ratio_to_the_stock_bot_run_alongside() -> None:
    assert missed(results([100.0, 105.0, 110.0], [20.0, 21.0, 20.0])) == []
    misses = missed(results([90.0, 95.0, 99.0], [20.0, 21.0, 20.0]))
    assert len(misses) == 1 and "capacity ÷ stock" in misses[0] and "4.75" in misses[0]  # 95 ÷ 20, the medians


def test_a_latency_or_error_miss_is_reported() -> None:
    figures = results([100.0] * 3, [20.0] * 3)
    figures["bot"]["open"]["latency_ms"]["p99"] = 400.0
    figures["bot"]["closed"]["error_total"] = 2
    assert sorted(m.split(" ")[0] for m in missed(figures)) == ["closed", "open"]


def test_an_unanswered_crisis_message_is_a_miss_but_a_reply_without_a_number_is_the_models_recall() -> None:
    figures = results([100.0] * 3, [20.0] * 3)
    figures["bot"]["closed"]["crisis"]["without_helpline"] = 2
    assert missed(figures) == []
    assert "model recall, not load" in document(figures)
    figures["bot"]["open"]["crisis"]["unanswered"] = 1
    assert [m.split(":")[0] for m in missed(figures)] == ["open"]


def test_other_programs_using_the_cpu_mark_the_run_noisy_and_the_report_says_so() -> None:
    quiet = results([100.0] * 3, [20.0] * 3, other=0.05)
    quiet["noise"] = noise(quiet)
    assert quiet["noise"] == []
    assert "The machine was quiet" in document(quiet)
    busy = results([100.0] * 3, [20.0] * 3, other=0.6)
    busy["machine"]["busy_cores_before"] = 0.9
    busy["noise"] = noise(busy)
    assert len(busy["noise"]) == 1 + 3 * 2  # busy before the start, then every shape of both bots
    assert "0.90 cores busy before" in busy["noise"][0] and "0.60 cores" in busy["noise"][1]
    text = document(busy)
    assert "too noisy to trust" in text and "(100.0–100.0)" in text


def test_cpu_shares_count_a_busy_neighbour_as_other_programs() -> None:
    """A real process burning CPU beside the measured (idle) one shows up as "other programs"."""
    idle = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    burner = subprocess.Popen([sys.executable, "-c", "import time\nend = time.time() + 2\nwhile time.time() < end: pass"])
    try:
        before = cpu.Snapshot.take([idle.pid])
        time.sleep(1.5)
        after = cpu.Snapshot.take([idle.pid])
    finally:
        burner.kill()
        idle.kill()
        burner.wait()
        idle.wait()
    use = cpu.shares(before, after, loadgen_cpu_s=0.0)
    assert use["server_cores"] < 0.1
    assert use["other_cores"] > 0.5, use


def test_a_busy_machine_is_seen_before_the_run_starts() -> None:
    burner = subprocess.Popen([sys.executable, "-c", "import time\nend = time.time() + 3\nwhile time.time() < end: pass"])
    try:
        assert cpu.busy_cores(1.0) > 0.5
    finally:
        burner.kill()
        burner.wait()


def test_a_process_cpu_time_is_read_from_proc() -> None:
    start = cpu.process_cpu_s(os.getpid())
    end = time.process_time() + 0.3
    while time.process_time() < end:
        pass
    assert cpu.process_cpu_s(os.getpid()) - start >= 0.2


def test_overload_runs_at_three_times_the_capacity_make_bench_measured(tmp_path: Path) -> None:
    from bench.overload import capacity_from, main

    results = tmp_path / "results.json"
    results.write_text(json.dumps({"bot": {"closed": {"replies_per_s": 131.5}}}))
    assert capacity_from(results) == 131.5
    results.write_text(json.dumps({"baseline": {}}))
    with pytest.raises(SystemExit, match="run `make bench` first"):
        main(["--capacity-from", str(results)])
