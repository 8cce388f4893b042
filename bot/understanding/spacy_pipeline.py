"""The project's own small English spaCy pipeline.

No pretrained spaCy model can be downloaded where this bot is built, so the
pipeline is ``spacy.blank("en")`` (rule-based tokenizer) plus the lookup
lemmatizer whose tables ship in ``spacy-lookups-data``. Rasa's ``SpacyNLP``
loads the saved folder by path.
"""

from __future__ import annotations

import argparse
import functools
from pathlib import Path

import spacy
from spacy.language import Language

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "var" / "spacy" / "en_therapy"


def build() -> Language:
    """Return a fresh blank-English pipeline with a lookup lemmatizer."""
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    nlp.meta["name"] = "therapy"
    nlp.meta["version"] = "1.0.0"
    nlp.meta["description"] = "Blank English tokenizer + lookup lemmatizer (no vectors)."
    return nlp


def save(path: Path = DEFAULT_PATH) -> Path:
    """Build the pipeline and write it to ``path``, replacing what was there."""
    path.parent.mkdir(parents=True, exist_ok=True)
    build().to_disk(path)
    return path


@functools.lru_cache(maxsize=4)
def load(path: str | Path = DEFAULT_PATH) -> Language:
    """Load the saved pipeline, building it in memory if it was never saved.

    Cached: loading costs tens of milliseconds and every caller wants the same
    object. Building in memory keeps unit tests independent of ``make``.
    """
    p = Path(path)
    if (p / "meta.json").exists():
        return spacy.load(p)
    return build()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", nargs="?", default=str(DEFAULT_PATH))
    args = parser.parse_args()
    print(f"spaCy pipeline written to {save(Path(args.path))}")


if __name__ == "__main__":
    main()
