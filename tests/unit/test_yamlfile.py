"""The fast YAML reader gives what the pure-Python safe loader gives, on every data file of the project."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.core import yamlfile

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(p for folder in ("data", "tests/crisis", "tests/faq") for p in (ROOT / folder).rglob("*.yml"))


def test_the_c_parser_is_used_where_pyyaml_has_it() -> None:
    assert yamlfile.LOADER is getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_data_file_reads_the_same_as_with_the_pure_python_loader(path: Path) -> None:
    assert yamlfile.read_all(path) == list(yaml.safe_load_all(path.read_text(encoding="utf-8")))


def test_the_reader_is_safe(tmp_path: Path) -> None:
    tagged = tmp_path / "tagged.yml"
    tagged.write_text('families: !!python/object/apply:os.getcwd []\n', encoding="utf-8")
    with pytest.raises(yaml.constructor.ConstructorError):  # a Python tag is refused, never run
        yamlfile.read(tagged)
