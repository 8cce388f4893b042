"""YAML files read with libyaml's C parser where PyYAML was built with it.

The data files (crisis families, NLU lines) are read by training, the
evaluations and many tests; the pure-Python parser took about 3 s per read
of the crisis families, the C one a tenth of that, with the same result
(``tests/unit/test_yamlfile.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, List

import yaml

LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read(path: Path) -> Any:
    """The one document of ``path`` (safe loading: plain data only)."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=LOADER)  # noqa: S506 - a safe loader


def read_all(path: Path) -> List[Any]:
    """Every document of ``path``."""
    return list(yaml.load_all(path.read_text(encoding="utf-8"), Loader=LOADER))  # noqa: S506
