"""A linear text classifier over the shared sentence embedding and n-grams.

Both trained models of the project (the intent/topic model and the crisis
model) are this one shape: multinomial logistic regression over
- the encoder's sentence embedding (meaning: "stay home" is near "online");
- character 2-5-grams (typos, text-speak, Spanish, which the English encoder
  reads poorly);
- word 1-2-grams (the exact words that separate close topics).
A linear head costs well under a millisecond per message once the embedding
exists, which the featurizer computes once for every component.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

import numpy as np
import scipy.sparse as sp


@dataclass
class ModelOptions:
    c: float = 4.0
    char_ngrams: bool = True
    word_ngrams: bool = True
    max_char_features: int = 40000
    embedding_weight: float = 1.0
    class_weight: Optional[str] = "balanced"
    max_iter: int = 3000
    # False: n-grams only, no sentence embedding (the crisis screen, which must
    # run where the encoder's cost is what is being saved).
    embedding: bool = True


@dataclass
class _Block:
    """One n-gram vectorizer, ready for single messages: what scikit-learn recomputes per call, kept.

    ``weights`` is the block's (features x classes) slice of the coefficients,
    C-ordered: multiplying by a slice of ``coef_.T`` made scipy copy the whole
    slice on every call. ``idf`` is copied too: the vectorizer's ``idf_`` is a
    property that rebuilds itself from a sparse diagonal matrix on each read.
    """

    analyzer: Callable[[str], List[str]]
    vocabulary: Dict[str, int]
    idf: Optional[np.ndarray]
    sublinear_tf: bool
    norm: Optional[str]
    weights: np.ndarray

    @classmethod
    def of(cls, vectorizer: Any, weights: np.ndarray) -> _Block:
        return cls(vectorizer.build_analyzer(), vectorizer.vocabulary_,
                   np.array(vectorizer.idf_) if vectorizer.use_idf else None,
                   bool(vectorizer.sublinear_tf), vectorizer.norm, np.ascontiguousarray(weights))

    def scores(self, text: str) -> np.ndarray:
        """``vectorizer.transform([text]) @ weights`` for one text, without building a sparse matrix.

        scikit-learn's transform is made for batches: for one chat message its
        sparse-matrix bookkeeping costs far more than the arithmetic. These are
        the same steps (the vectorizer's own analyzer, counts, 1 + log(tf) when
        sublinear, times idf, L2 norm) on the few n-grams the message has; a
        unit test holds the result equal to scikit-learn's.
        """
        counts: Dict[int, int] = {}
        for gram in self.analyzer(text):
            index = self.vocabulary.get(gram)
            if index is not None:
                counts[index] = counts.get(index, 0) + 1
        if not counts:
            return np.zeros(self.weights.shape[1])
        indices = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
        values = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        if self.sublinear_tf:
            values = np.log(values) + 1.0
        if self.idf is not None:
            values *= self.idf[indices]
        if self.norm == "l2":
            values /= np.sqrt(values @ values)
        elif self.norm == "l1":
            values /= np.abs(values).sum()
        return values @ self.weights[indices]


class LinearTextClassifier:
    """Embedding + n-grams -> P(label), one multinomial logistic regression."""

    def __init__(self, options: ModelOptions | None = None) -> None:
        self.options = options or ModelOptions()
        self.vectorizer: Any = None
        self.words: Any = None
        self.model: Any = None
        self._prepared: Optional[tuple[np.ndarray, List[_Block]]] = None

    @property
    def classes(self) -> List[str]:
        return list(self.model.classes_)

    def check_labels(self, labels: Sequence[str]) -> None:
        """Subclasses refuse labels they do not know."""

    def _features(self, texts: Sequence[str], embeddings: Optional[np.ndarray], fit: bool = False) -> Any:
        blocks = []
        if self.options.embedding:
            blocks.append(sp.csr_matrix(np.asarray(embeddings, dtype=np.float64) * self.options.embedding_weight))
        if fit:
            from sklearn.feature_extraction.text import TfidfVectorizer

            self.vectorizer = TfidfVectorizer(
                analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True,
                max_features=self.options.max_char_features, strip_accents="unicode", lowercase=True,
            ) if self.options.char_ngrams else None
            self.words = TfidfVectorizer(
                ngram_range=(1, 2), min_df=2, sublinear_tf=True, strip_accents="unicode", lowercase=True,
            ) if self.options.word_ngrams else None
        for vectorizer in (self.vectorizer, self.words):
            if vectorizer is not None:
                blocks.append(vectorizer.fit_transform(texts) if fit else vectorizer.transform(texts))
        return sp.hstack(blocks, format="csr")

    def fit(self, texts: Sequence[str], embeddings: Optional[np.ndarray], labels: Sequence[str]) -> Any:
        from sklearn.linear_model import LogisticRegression

        self.check_labels(labels)
        self.model = LogisticRegression(
            C=self.options.c, max_iter=self.options.max_iter, class_weight=self.options.class_weight,
        )
        self.model.fit(self._features(texts, embeddings, fit=True), list(labels))
        self._prepared = None
        return self

    def predict_proba(self, texts: Sequence[str], embeddings: Optional[np.ndarray]) -> np.ndarray:
        """P(class) per text: scikit-learn's multinomial softmax, computed block by block.

        Same numbers as ``self.model.predict_proba`` on the stacked features (a
        unit test checks it), without building the stacked sparse matrix: on
        the per-message path that saves about a millisecond.
        """
        if self.options.embedding:
            dense = np.asarray(embeddings, dtype=np.float64)
            embedding_weights, blocks = self._prepared or self._prepare(dense.shape[1])
            scores = (dense * self.options.embedding_weight) @ embedding_weights
        else:
            _, blocks = self._prepared or self._prepare(0)
            scores = np.zeros((len(texts), self.model.coef_.shape[0]))
        for block in blocks:
            for row, text in enumerate(texts):
                scores[row] += block.scores(text)
        scores += self.model.intercept_
        if scores.shape[1] == 1:
            # Two labels: scikit-learn keeps one score s for the second; P = softmax(0, s) = (1 - sigmoid(s), sigmoid(s)).
            scores = np.hstack([np.zeros_like(scores), scores])
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        return scores / scores.sum(axis=1, keepdims=True)

    def _prepare(self, dims: int) -> tuple[np.ndarray, List[_Block]]:
        """The coefficients split by feature block, each block ready for single messages (made once)."""
        coef = self.model.coef_
        blocks, start = [], dims
        for vectorizer in (self.vectorizer, self.words):
            if vectorizer is not None:
                end = start + len(vectorizer.vocabulary_)
                blocks.append(_Block.of(vectorizer, coef[:, start:end].T))
                start = end
        self._prepared = (np.ascontiguousarray(coef[:, :dims].T), blocks)
        return self._prepared

    def predict_proba_reference(self, texts: Sequence[str], embeddings: Optional[np.ndarray]) -> np.ndarray:
        """scikit-learn's own computation, for the test that the fast path equals it."""
        return self.model.predict_proba(self._features(texts, embeddings))

    def save(self, path: Path) -> None:
        with path.open("wb") as fh:
            pickle.dump({"options": self.options, "vectorizer": self.vectorizer, "words": self.words, "model": self.model}, fh)

    @classmethod
    def load(cls, path: Path) -> Any:
        with path.open("rb") as fh:
            state = pickle.load(fh)  # noqa: S301 - our own file, inside the trained model archive
        classifier = cls(state["options"])
        classifier.vectorizer, classifier.words, classifier.model = state["vectorizer"], state.get("words"), state["model"]
        return classifier
