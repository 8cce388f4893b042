"""Changes to the benchmarked Rasa server only, to measure them against what runs.

``python -m bench.run --lever NAME`` puts this folder first on the servers'
PYTHONPATH with BENCH_LEVERS=NAME; Python imports ``sitecustomize`` at
start-up, and each named lever patches its target module right after that
module is first imported (nothing is imported early, so start-up order is
unchanged). Nothing here runs in ``make run``.

- ``stock_rasa``: without the hot-path fixes of ``bot/runtime/patches.py``
  (``hot_path``: Rasa's dask graph runner, and ``jsonschema.validate`` on
  every action server response), to measure what they bring.

A proposed change is measured here first, then made in the project's code.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys
from typing import Any, Callable, Optional, Sequence

LEVERS = {name.strip() for name in os.environ.get("BENCH_LEVERS", "").split(",") if name.strip()}


def _stock_rasa(module: Any) -> None:
    # Only the speed fixes: memory, protected entities and bookkeeping change what the bot does, so they stay.
    module.hot_path = lambda: None  # bot.runtime.patches.apply calls it after this import


PATCHES: dict[str, tuple[str, Callable[[Any], None]]] = {
    "stock_rasa": ("bot.runtime.patches", _stock_rasa),
}


class _AfterImport(importlib.abc.MetaPathFinder):
    """Runs a patch right after its target module has been executed."""

    def __init__(self, targets: dict[str, list[Callable[[Any], None]]]) -> None:
        self.targets = targets

    def find_spec(self, name: str, path: Optional[Sequence[str]], target: Any = None) -> Optional[importlib.machinery.ModuleSpec]:
        if name not in self.targets:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None and spec.loader is not None:
                patches, loader = self.targets.pop(name), spec.loader
                exec_module = loader.exec_module

                def run(module: Any, _exec: Callable[[Any], None] = exec_module,
                        _patches: list[Callable[[Any], None]] = patches) -> None:
                    _exec(module)
                    for patch in _patches:
                        patch(module)

                loader.exec_module = run  # type: ignore[method-assign]
                return spec
        return None


def _install() -> None:
    # Only the Rasa server: the action server and the tools started beside it stay stock.
    argv = sys.argv[:4]
    if not LEVERS or "run" not in argv or "actions" in argv:
        return
    targets: dict[str, list[Callable[[Any], None]]] = {}
    for name in sorted(LEVERS):
        if name in PATCHES:
            module, patch = PATCHES[name]
            targets.setdefault(module, []).append(patch)
    if targets:
        sys.meta_path.insert(0, _AfterImport(targets))


_install()
