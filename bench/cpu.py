"""Who used the machine's CPU during a measurement: the servers, the load generator, or someone else.

On a 2-core machine the load generator competes with the servers it drives,
and any other program running at the same time takes cores from both the bot
and the stock baseline. A ratio is only reproducible if the run says how much
of the machine each party used, so every measured run records:

- the servers' CPU (the process trees being measured, from /proc/<pid>/stat),
- the load generator's own CPU (its ``getrusage``, reported by bench/loadgen.py),
- the whole machine's busy CPU (/proc/stat), and from these the CPU used by
  anything else: when that exceeds ``NOISY_CORES`` the run is marked noisy.

Shares are in cores (CPU seconds per wall second): 2.0 is the whole machine here.
"""

from __future__ import annotations

import os
import resource
import time
from dataclasses import dataclass
from typing import Iterable

from bench.stack import process_tree

# More than this much of a core used by other programs, on average over a measured run,
# makes that run's absolute figures untrustworthy (and a ratio across runs doubtful).
NOISY_CORES = 0.25
# How long the machine is watched before anything starts, to see whether it is busy already.
QUIET_CHECK_S = 3.0

_TICK = os.sysconf("SC_CLK_TCK")


def machine_busy_s() -> float:
    """CPU seconds all cores have spent busy since boot (user, nice, system, irq, softirq, steal)."""
    with open("/proc/stat", encoding="ascii") as fh:
        fields = fh.readline().split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / _TICK


def busy_cores(seconds: float = QUIET_CHECK_S) -> float:
    """Cores in use, on average, over the next ``seconds``: the machine's state before a run.

    Unlike the load average, which decays over minutes, this tells a machine
    that is busy now from one that was busy a minute ago (the previous run).
    """
    start, at = machine_busy_s(), time.monotonic()
    time.sleep(seconds)
    return (machine_busy_s() - start) / (time.monotonic() - at)


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds of one live process (0.0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            # The command name may hold spaces: the fields after it start after the last ')'.
            fields = fh.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def trees_cpu_s(roots: Iterable[int]) -> float:
    return sum(process_cpu_s(pid) for root in roots for pid in process_tree(root))


def own_cpu_s() -> float:
    """This orchestrating process's CPU (memory sampling, process starts): counted apart from "others"."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Snapshot:
    at: float
    machine: float
    servers: float
    own: float

    @classmethod
    def take(cls, server_roots: Iterable[int]) -> Snapshot:
        return cls(time.monotonic(), machine_busy_s(), trees_cpu_s(server_roots), own_cpu_s())


def shares(before: Snapshot, after: Snapshot, loadgen_cpu_s: float) -> dict[str, float]:
    """Cores used between two snapshots by the servers, the load generator and everything else.

    The load generator is a child that has exited by ``after``; its CPU comes
    from its own report. Servers' children that exit within the window are not
    counted as the servers' and land in "others", which errs on the side of
    calling a run noisy.
    """
    wall = max(1e-9, after.at - before.at)
    machine = after.machine - before.machine
    servers = after.servers - before.servers
    own = after.own - before.own
    others = max(0.0, machine - servers - loadgen_cpu_s - own)
    return {
        "wall_s": round(wall, 2),
        "machine_cores": round(machine / wall, 3),
        "server_cores": round(servers / wall, 3),
        "loadgen_cores": round(loadgen_cpu_s / wall, 3),
        "other_cores": round(others / wall, 3),
        "server_cpu_s": round(servers, 3),
    }
