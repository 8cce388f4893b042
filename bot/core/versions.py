"""The Rasa, rasa-sdk and Sanic versions the project's patches were tested with; other versions stop the process.

``bot.runtime.patches`` (with ``bot.understanding.memory`` and
``bot.understanding.protected``, which it installs), the tracker store (``bot.storage.tracker_store``,
``bot.storage.tracker_sql``) and the lock store (``bot.storage.lock_store``) replace or lean on
internals of Rasa and Sanic: private methods, module globals, the stock
stores' inner workings. After an upgrade such a patch could silently stop
applying, or apply to code that now means something else. So each of them
first calls :func:`require_tested` (and ``bot.runtime.rasa_cli`` does before any
command): a difference from ``TESTED`` stops the process with one line
saying what differs and what to do.

``ALLOW_UNTESTED_VERSIONS=true`` runs anyway, logging that line as a warning:
for whoever is trying the upgrade, never for a deployment.
``tests/unit/test_versions.py`` keeps ``TESTED`` equal to the pins in
requirements.txt.
"""

from __future__ import annotations

import functools
import logging
from importlib import metadata
from typing import Mapping, Optional

logger = logging.getLogger(__name__)

TESTED: Mapping[str, str] = {"rasa": "3.6.21", "rasa-sdk": "3.6.2", "sanic": "21.12.2"}
OVERRIDE = "ALLOW_UNTESTED_VERSIONS"


class UntestedVersions(SystemExit):
    """Stops the process (exit status 1) with one line on stderr: the versions that differ."""


@functools.lru_cache(maxsize=1)
def installed() -> Mapping[str, Optional[str]]:
    """The installed version of each package in ``TESTED`` (None when it is not installed)."""
    found: dict[str, Optional[str]] = {}
    for name in TESTED:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def differences(found: Mapping[str, Optional[str]], tested: Mapping[str, str] = TESTED) -> list[str]:
    """``"rasa 3.7.0 (tested: 3.6.21)"`` for each package whose version is not the tested one."""
    return [
        f"{name} {found.get(name) or 'not installed'} (tested: {version})"
        for name, version in tested.items()
        if found.get(name) != version
    ]


def require_tested(found: Optional[Mapping[str, Optional[str]]] = None, allow: Optional[bool] = None) -> None:
    """Return when the installed versions are the tested ones; else stop (or, when allowed, warn)."""
    diffs = differences(installed() if found is None else found)
    if not diffs:
        return
    line = (
        "the project's patches of Rasa/Sanic internals were tested with other versions: "
        + ", ".join(diffs)
        + f"; install requirements.txt, or set {OVERRIDE}=true to run anyway"
    )
    if allow is None:
        from bot.core.settings import get_settings

        allow = get_settings().allow_untested_versions
    if allow:
        logger.warning(line)
        return
    raise UntestedVersions(f"error: {line}")
