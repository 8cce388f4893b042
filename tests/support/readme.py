"""README's figures, read back so a test can hold them to what the command measures.

A figure typed by hand drifts from the model it describes; the end-to-end tests
that score the test splits compare their measurement with the bold figures of
README's row, so a retrained model with a stale README fails.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import List

README = Path(__file__).resolve().parents[2] / "README.md"
_BOLD = re.compile(r"\*\*([^*]+)\*\*")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)%")


def bold_percentages(row_start: str) -> List[float]:
    """The percentages, as fractions, in the bold part of the figure cell of the table row that starts with ``row_start``."""
    rows = [line for line in README.read_text(encoding="utf-8").splitlines() if line.startswith(row_start)]
    if len(rows) != 1:
        raise AssertionError(f"README has {len(rows)} rows starting with {row_start!r}, expected 1")
    figure_cell = rows[0].split(" | ")[1]
    bold = _BOLD.search(figure_cell)
    if bold is None:
        raise AssertionError(f"README's row {row_start!r} has no bold figure")
    return [float(p) / 100 for p in _PERCENT.findall(bold.group(1))]


def matches(measured: float, reported: float) -> bool:
    """README rounds to one decimal of a percent."""
    return abs(round(measured * 100, 1) - reported * 100) < 0.051


def check_row(row_start: str, measured: List[float], command: str) -> None:
    """Fail unless README's bold figures in the row are the measured ones, in order."""
    reported = bold_percentages(row_start)
    assert len(reported) == len(measured) and all(map(matches, measured, reported)), (
        f"README says {[f'{r:.1%}' for r in reported]}, {command} measures {[f'{x:.1%}' for x in measured]}")
