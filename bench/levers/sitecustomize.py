"""Proposed performance changes, applied to a benchmarked server only, to measure them before anyone makes them.

``python -m bench.run --lever validator`` puts this folder
first on the servers' PYTHONPATH with BENCH_LEVERS=validator;
Python imports ``sitecustomize`` at start-up, and each named lever patches
its target module right after that module is first imported (nothing is
imported early, so start-up order is unchanged). Nothing here runs in
``make run``: these are measurements of changes proposed in
docs/performance.md, to be made in the project's own code if adopted.

- ``validator``: Rasa checks every action server response with
  ``jsonschema.validate``, which re-validates the schema itself on each call
  (about 80 ms of the event loop, during which no other visitor is served).
  A validator built once does the same check in about 1 ms.

The former ``sqlite_wal`` lever (kept connections, WAL, ``synchronous=NORMAL``
for the SQLite tracker store) has been adopted in bot/stores.py itself.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys
from typing import Any, Callable, Optional, Sequence

LEVERS = {name.strip() for name in os.environ.get("BENCH_LEVERS", "").split(",") if name.strip()}


def _cached_validator(module: Any) -> None:
    from jsonschema import validators

    remote = module.RemoteAction
    schema = remote.action_response_format_spec()
    validator = validators.validator_for(schema)(schema)
    original = remote._validate_action_result

    def validate(self: Any, result: dict) -> bool:
        errors = list(validator.iter_errors(result))
        if errors:
            return original(self, result)  # the stock path raises with Rasa's own message
        return True

    remote._validate_action_result = validate


PATCHES: dict[str, tuple[str, Callable[[Any], None]]] = {
    "validator": ("rasa.core.actions.action", _cached_validator),
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
