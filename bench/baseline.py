"""The stock Rasa bot to compare against, built once and cached under var/bench/.

A shared 2-core machine gives different absolute figures from one hour to
the next; the ratio between the bot and a stock ``rasa init`` bot measured in
the same run, under the same load, is what stays comparable. Training the
stock bot (default config with TED) takes minutes, so the project directory
and its model are kept under var/bench/baseline-<rasa version>/ and reused.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from bench.stack import RASA
from bot.core.settings import ROOT

CACHE = ROOT / "var" / "bench"


def rasa_version() -> str:
    from importlib.metadata import version

    return version("rasa")


def cached_project() -> Path:
    return CACHE / f"baseline-{rasa_version()}"


def cached_model(project: Path) -> Path | None:
    models = sorted((project / "models").glob("*.tar.gz"))
    return models[-1] if models else None


def ensure_baseline(log: Path) -> tuple[Path, Path, float | None]:
    """(project dir, model, seconds the training took or None when the cache was used)."""
    project = cached_project()
    model = cached_model(project) if project.is_dir() else None
    if model is not None:
        return project, model, None
    print(f"==> [bench] building the stock baseline once (rasa init --no-prompt, trains a model: a few minutes); cached in {project}")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="3")
    with tempfile.TemporaryDirectory(prefix="rasa-init-") as tmp:
        target = Path(tmp) / "bot"
        target.mkdir()  # with --no-prompt, rasa init wants the directory to exist
        started = time.monotonic()
        with log.open("w") as out:
            # cwd=tmp: the training cache (.rasa/) lands in the temporary directory, not in the project.
            code = subprocess.call([RASA, "init", "--no-prompt", "--init-dir", str(target)], cwd=tmp, env=env,
                                   stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=1800)
        seconds = time.monotonic() - started
        if code != 0 or cached_model(target) is None:
            raise RuntimeError(f"rasa init failed (exit {code}); see {log}")
        if project.exists():
            shutil.rmtree(project)
        project.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(target, project, ignore=shutil.ignore_patterns(".rasa", "__pycache__"))
    model = cached_model(project)
    assert model is not None
    return project, model, seconds
