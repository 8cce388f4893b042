"""Proposed performance changes, applied to a benchmarked server only, to measure them before anyone makes them.

``python -m bench.run --lever validator --lever sqlite_wal`` puts this folder
first on the servers' PYTHONPATH with BENCH_LEVERS=validator,sqlite_wal;
Python imports ``sitecustomize`` at start-up, and each named lever patches
its target module right after that module is first imported (nothing is
imported early, so start-up order is unchanged). Nothing here runs in
``make run``: these are measurements of changes proposed in
docs/performance.md, to be made in the project's own code if adopted.

- ``validator``: Rasa checks every action server response with
  ``jsonschema.validate``, which re-validates the schema itself on each call
  (about 80 ms of the event loop, during which no other visitor is served).
  A validator built once does the same check in about 1 ms.
- ``sqlite_wal``: the SQLite tracker store (bot/stores.py) with kept
  connections (a QueuePool), WAL journal and ``synchronous=NORMAL``: a turn's
  commit appends to the log instead of opening the file, syncing a rollback
  journal and the database, and closing it again (the bot database already
  uses WAL).
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


def _sqlite_wal(module: Any) -> None:
    from sqlalchemy import event
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import QueuePool

    def pragmas(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    original = module.create_engine

    def create_engine(url: Any, **kwargs: Any) -> Any:
        if make_url(url).get_backend_name() != "sqlite":
            return original(url, **kwargs)
        # Kept connections (SQLAlchemy 1.4 opens and closes one per session for a
        # SQLite file, and closing the last one checkpoints the WAL each turn).
        kwargs.setdefault("poolclass", QueuePool)
        kwargs.setdefault("connect_args", {})["check_same_thread"] = False
        engine = original(url, **kwargs)
        event.listen(engine, "connect", pragmas)
        return engine

    module.create_engine = create_engine


PATCHES: dict[str, tuple[str, Callable[[Any], None]]] = {
    "validator": ("rasa.core.actions.action", _cached_validator),
    "sqlite_wal": ("bot.stores", _sqlite_wal),
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
