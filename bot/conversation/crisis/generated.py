"""The command line shared by the files generated from the helplines and templates:
write the file, or with ``--check`` fail when the committed copy is stale."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable

from bot.core.settings import ROOT


def main(argv: list[str] | None, *, description: str, output: Path, render: Callable[[], str],
         make_target: str, what: str) -> int:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale instead of writing it")
    parser.add_argument("--output", type=Path, default=output)
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is stale: run `make {make_target}`", file=sys.stderr)
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"{what} written to {args.output.relative_to(ROOT)}")
    return 0
