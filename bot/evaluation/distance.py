"""How far an evaluation split sits from the training data, in the encoder's space of meaning.

Two splits of the same size and labels can score thirteen points apart (the
FAQ's first and fresh test splits did) without either being wrong: one may
simply ask about situations the training data has no line near. This reads
that distance without anyone reading the split's lines: for each line, the
cosine similarity of its nearest training line, and whether that nearest line
carries the same label (a one-nearest-neighbour reading, which needs no model).
A split far from the training data and often nearest to another label's
lines is one whose score says more about coverage than about the model.
"""

from __future__ import annotations

from typing import Dict, Protocol, Sequence

import numpy as np


class Labelled(Protocol):
    @property
    def text(self) -> str: ...

    @property
    def label(self) -> str: ...


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)


def distance(train: Sequence[Labelled], train_vectors: np.ndarray,
             split: Sequence[Labelled], split_vectors: np.ndarray) -> Dict[str, float]:
    """Mean and median similarity of each split line to its nearest training line, and how often that line shares its label."""
    similarity = unit_rows(np.asarray(split_vectors, dtype=np.float64)) @ unit_rows(np.asarray(train_vectors, dtype=np.float64)).T
    nearest = similarity.argmax(axis=1)
    best = similarity[np.arange(len(split)), nearest]
    return {
        "n": float(len(split)),
        "nearest_similarity": float(best.mean()),
        "nearest_similarity_median": float(np.median(best)),
        "nearest_same_label": float(np.mean([train[j].label == e.label for e, j in zip(split, nearest, strict=True)])),
    }


def describe(name: str, figures: Dict[str, float]) -> str:
    return (f"  {name:32} nearest training line: similarity {figures['nearest_similarity']:.3f} "
            f"(median {figures['nearest_similarity_median']:.3f}), same label {figures['nearest_same_label']:.1%}")
