"""The one place where process-wide objects are made and kept.

Heavy objects (the sentence encoder, the crisis rules) are built on first use,
never at import, and shared by every component of the process. Tests swap one
with :func:`override` instead of clearing caches module by module.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any, Callable, Dict, Iterator, TypeVar

T = TypeVar("T")

_objects: Dict[str, Any] = {}
# Re-entrant: a factory may ask for another object (the encoder reads the settings).
_lock = threading.RLock()
# Objects built from the settings (database engines, secrets): forgotten with them.
_from_settings: set[str] = set()
SETTINGS = "settings"


def get(name: str, factory: Callable[[], T], *, from_settings: bool = False) -> T:
    """The process's ``name`` object, built by ``factory`` the first time it is asked for.

    ``from_settings``: the object is built from the settings, so
    :func:`reload_settings` forgets it too.
    """
    try:
        return _objects[name]
    except KeyError:
        pass
    with _lock:  # two threads asking at start-up build it once
        if name not in _objects:
            _objects[name] = factory()
            if from_settings:
                _from_settings.add(name)
        return _objects[name]


def reload_settings() -> None:
    """Forget the settings and everything built from them: the next use reads the environment again.

    For tests that change an environment variable, and for nothing else: a
    running server reads its settings once.
    """
    with _lock:
        for name in (SETTINGS, *_from_settings):
            _objects.pop(name, None)
        _from_settings.clear()


def reset(name: str | None = None) -> None:
    """Forget one object (or all): the next ``get`` builds it again."""
    with _lock:
        if name is None:
            _objects.clear()
        else:
            _objects.pop(name, None)


@contextlib.contextmanager
def override(name: str, obj: Any) -> Iterator[Any]:
    """Use ``obj`` as the process's ``name`` object inside the block (tests)."""
    with _lock:
        previous = _objects.get(name, _missing := object())
        _objects[name] = obj
    try:
        yield obj
    finally:
        with _lock:
            if previous is _missing:
                _objects.pop(name, None)
            else:
                _objects[name] = previous


def put(name: str, obj: Any) -> None:
    """Register an object built elsewhere (the crisis model, when Rasa loads the trained model)."""
    with _lock:
        _objects[name] = obj


def peek(name: str) -> Any:
    """The registered object, or None when this process has none (no factory is run)."""
    return _objects.get(name)
