"""Patches of Rasa/Sanic internals run only on the versions they were tested with (bot/core/versions.py)."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.core import versions, wiring
from bot.core.settings import ROOT, Settings
from bot.core.versions import TESTED, UntestedVersions, differences, installed, require_tested

UPGRADED = {**TESTED, "rasa": "3.7.0"}


def test_tested_versions_are_the_pins_in_requirements() -> None:
    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==([^\s\\]+)", (ROOT / "requirements.txt").read_text(), re.M))
    assert {name: pins.get(name) for name in TESTED} == dict(TESTED)


def test_this_environment_has_the_tested_versions() -> None:
    assert differences(installed()) == []
    require_tested()  # returns quietly


def test_another_version_stops_with_one_line_naming_it() -> None:
    with pytest.raises(UntestedVersions) as stop:
        require_tested({**UPGRADED, "sanic": None}, allow=False)
    line = str(stop.value.code)
    assert "\n" not in line and line.startswith("error: ")
    assert "rasa 3.7.0 (tested: 3.6.21)" in line and "sanic not installed (tested: 21.12.2)" in line
    assert "rasa-sdk" not in line  # only what differs
    assert "ALLOW_UNTESTED_VERSIONS=true" in line


def test_the_override_runs_anyway_and_says_so(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:

    monkeypatch.setenv("ALLOW_UNTESTED_VERSIONS", "true")
    wiring.reload_settings()
    try:
        with caplog.at_level(logging.WARNING, logger="bot.core.versions"):
            require_tested(UPGRADED)
    finally:
        wiring.reload_settings()
    assert any("rasa 3.7.0 (tested: 3.6.21)" in r.getMessage() for r in caplog.records)


def test_the_override_is_off_unless_set() -> None:
    assert Settings.from_env({}).allow_untested_versions is False
    assert Settings.from_env({"ALLOW_UNTESTED_VERSIONS": "true"}).allow_untested_versions is True


def test_the_store_overrides_refuse_other_versions(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from bot.storage.lock_store import lock_store_from_url
    from bot.storage.tracker_store import PrivateSQLTrackerStore

    monkeypatch.setattr(versions, "installed", lambda: UPGRADED)
    with pytest.raises(UntestedVersions):
        PrivateSQLTrackerStore(db=str(tmp_path / "tracker.db"), retention_job=False)
    with pytest.raises(UntestedVersions):
        lock_store_from_url("", workers=1)


def test_the_rasa_patches_refuse_other_versions(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.runtime import patches as rasa_patches

    monkeypatch.setattr(versions, "installed", lambda: UPGRADED)
    monkeypatch.setattr(rasa_patches, "_applied", False)
    with pytest.raises(UntestedVersions):
        rasa_patches.apply()
    with pytest.raises(UntestedVersions):
        rasa_patches.balance_workers()


def test_the_rasa_command_stops_before_starting(tmp_path: Path) -> None:
    script = (
        "import sys; import bot.core.versions as v; "
        f"v.installed = lambda: {UPGRADED!r}; "
        "sys.argv = ['rasa_cli', '--version']; "
        "from bot.runtime.rasa_cli import main; main()"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(tmp_path), "AUDIT_SALT": "x" * 32}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1].startswith("error: the project's patches of Rasa/Sanic internals")
    assert "Rasa" not in done.stdout  # rasa --version never ran
