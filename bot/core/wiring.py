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
_lock = threading.Lock()


def get(name: str, factory: Callable[[], T]) -> T:
    """The process's ``name`` object, built by ``factory`` the first time it is asked for."""
    try:
        return _objects[name]
    except KeyError:
        pass
    with _lock:  # two threads asking at start-up build it once
        if name not in _objects:
            _objects[name] = factory()
        return _objects[name]


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
