"""The chat widget is built from its modules: web/static/widget.js is what web/build.mjs makes of web/src.

The embed snippet loads one script (docs/embed.md), so esbuild bundles the
modules under web/src/widget/ into web/static/widget.js (``make web``, a
git-ignored file). Here the build runs again into a temporary file: a widget.js
that differs was built from other sources (run ``make web``) or edited by hand
(edit web/src instead). The line limit of the modules is in test_architecture.py.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.core.settings import ROOT

WIDGET = ROOT / "web" / "static" / "widget.js"
BUILD = ROOT / "web" / "build.mjs"
BANNER = "/* generated from web/src by make web — edit the sources (web/src/widget/), not this file */\n"


def build(outfile: Path) -> str:
    node = shutil.which("node")
    if not node or not (ROOT / "node_modules" / "esbuild").is_dir():
        pytest.fail("node or node_modules/esbuild is missing: run `make web`")
    done = subprocess.run([node, str(BUILD), "--outfile", str(outfile)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return outfile.read_text(encoding="utf-8")


def test_the_widget_is_what_the_build_makes_of_the_sources(tmp_path: Path) -> None:
    assert WIDGET.exists(), "web/static/widget.js is missing: run `make web`"
    assert WIDGET.read_text(encoding="utf-8") == build(tmp_path / "widget.js"), (
        "web/static/widget.js is not what web/src builds: run `make web` (and edit web/src, not the built file)"
    )


def test_the_build_is_one_classic_script(tmp_path: Path) -> None:
    """One <script> tag, no type="module": a single IIFE with no import or export left, strict like the sources."""
    text = build(tmp_path / "widget.js")
    assert text.startswith(BANNER + '"use strict";\n(() => {\n'), text[:300]
    assert text.endswith("\n})();\n")
    assert not [line for line in text.splitlines() if line.lstrip().startswith(("import ", "export "))]
    # Every module is in it, and nothing from node_modules (socket.io is loaded from vendor/ at run time).
    sources = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "web" / "src").rglob("*.js"))
    bundled = sorted(line.strip()[3:] for line in text.splitlines() if line.startswith("  // web/src/"))
    assert bundled == sources
    assert "node_modules" not in text


def test_esbuild_is_pinned_exactly() -> None:
    package = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    version = package["devDependencies"]["esbuild"]
    assert version[0].isdigit(), f"esbuild {version!r}: pin one version (npm install --save-dev --save-exact)"
    assert lock["packages"][""]["devDependencies"]["esbuild"] == version
    assert lock["packages"]["node_modules/esbuild"]["version"] == version
