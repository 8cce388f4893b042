"""Would fine-tuning the sentence encoder on the FAQ labels help? A probe, not part of the bot.

The intent model reads a frozen encoder: every family the training data lacks
is placed by a general-purpose embedding, and cross-validation by family
(``make eval``) has stayed near 83% through data rounds and changes to the
linear model. This probe measures the next lever without changing the bot:
for each fold of the same 3-fold split by family, it scores the intent model
on the frozen embeddings, then fine-tunes the encoder (TensorFlow, the
upstream weights, mean pooling and L2 norm as in ``encoder_build``) with a
softmax head over the training folds' labels, and scores the same intent
model on the tuned embeddings of the same lines. The held-out fold never
reaches the fine-tuning.

    python -m bot.evaluation.finetune_probe --fold 0 --epochs 3 --lr 1e-4

``--dev`` tunes on every training line instead, swaps the tuned encoder in
for the process, and runs the quick dev loops of both models with it
(``make eval-faq ARGS=--quick`` and ``python -m bot.evaluation.crisis --quick``),
at the thresholds in config.yml; its vectors are cached apart from the frozen ones.

It costs about 1.3 s per batch of 32 on 2 cores (10 minutes a fold at 3
epochs). Adopting it would change the one encoding every component reads,
the crisis model's included: its thresholds would have to be chosen again on
dev and its test sets scored again (README, "Figures").
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence

import numpy as np

from bot.understanding import faq_data
from bot.understanding.encoder import DIMENSION
from bot.understanding.faq_data import Example


def fine_tune(texts: Sequence[str], labels: Sequence[str], epochs: float, lr: float,
              batch: int = 32, seed: int = 0, log: Callable[[str], None] = print) -> Callable[[Sequence[str]], np.ndarray]:
    """Fine-tune the encoder with a softmax head on ``labels``; return the tuned encoder's ``encode``."""
    import tensorflow as tf
    from transformers import TFAutoModel
    from transformers.utils import logging as hf_logging

    from bot.understanding.encoder import DEFAULT_DIR, make_tokenizer, tokenize
    from bot.understanding.encoder_build import mean_pool

    hf_logging.set_verbosity_error()
    tf.random.set_seed(seed)
    classes = sorted(set(labels))
    y = np.array([classes.index(label) for label in labels])
    tokenizer = make_tokenizer(DEFAULT_DIR)
    bert = TFAutoModel.from_pretrained(str(DEFAULT_DIR))
    head = tf.keras.layers.Dense(len(classes))
    optimizer = tf.keras.optimizers.Adam(lr)

    def pooled(ids: Any, mask: Any, training: bool) -> Any:
        hidden = bert(input_ids=ids, attention_mask=mask, token_type_ids=tf.zeros_like(ids), training=training).last_hidden_state
        return mean_pool(hidden, mask)

    @tf.function(reduce_retracing=True)
    def step(ids: Any, mask: Any, targets: Any) -> Any:
        with tf.GradientTape() as tape:
            # Unit-length embeddings give small logits; the scale lets the softmax become confident.
            logits = head(pooled(ids, mask, True)) * 20.0
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(targets, logits))
        variables = bert.trainable_variables + head.trainable_variables
        # One gradient per variable by construction; autograph rewrites zip() and takes no strict=.
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))  # noqa: B905
        return loss

    rng = np.random.default_rng(seed)
    per_epoch = max(1, len(texts) // batch)
    steps = max(1, int(epochs * per_epoch))
    order = np.arange(len(texts))
    started = time.perf_counter()
    for s in range(steps):
        if s % per_epoch == 0:
            rng.shuffle(order)
        picked = order[(s % per_epoch) * batch:(s % per_epoch + 1) * batch]
        loss = step(*tokenize(tokenizer, [texts[i] for i in picked]), y[picked])
        if s % 50 == 0 or s == steps - 1:
            log(f"  step {s + 1}/{steps}: loss {float(loss):.3f}, {time.perf_counter() - started:.0f} s")

    def encode(batch_texts: Sequence[str]) -> np.ndarray:
        out = [pooled(*tokenize(tokenizer, list(batch_texts[k:k + 64])), False).numpy()
               for k in range(0, len(batch_texts), 64)]
        return np.concatenate(out).astype(np.float32)

    return encode


def probe(examples: Sequence[Example], folds: int, chosen: Sequence[int], epochs: float, lr: float,
          log: Callable[[str], None] = print) -> List[Dict[str, Any]]:
    """For each chosen fold: the intent model's accuracy on the held-out families, frozen vs tuned encoder."""
    from sklearn.model_selection import GroupKFold

    from bot.evaluation.faq import predict_held
    from bot.evaluation.quick_crisis import component_config
    from bot.evaluation.quick_faq import COMPONENT
    from bot.understanding.encoder import get_encoder
    from bot.understanding.intent_component import IntentModel

    intent_model = IntentModel(component_config(name=COMPONENT), None, None)  # type: ignore[arg-type]
    neighbours, c = intent_model.neighbour_options(), float(intent_model.config["c"])
    texts, labels = [e.text for e in examples], [e.label for e in examples]
    frozen = get_encoder().encode(texts)
    splits = list(GroupKFold(n_splits=folds).split(texts, labels, [e.group for e in examples]))

    def accuracy(embeddings: np.ndarray, train: np.ndarray, held: np.ndarray) -> float:
        got = predict_held(texts, labels, embeddings, train, held, c, neighbours)
        return float(np.mean([g == labels[i] for g, i in zip(got, held, strict=True)]))

    results = []
    for fold in chosen:
        train, held = splits[fold]
        log(f"fold {fold}: {len(train)} training lines, {len(held)} held out")
        encode = fine_tune([texts[i] for i in train], [labels[i] for i in train], epochs, lr, log=log)
        tuned = encode(texts)
        result = {"fold": fold, "held": len(held), "frozen": accuracy(frozen, train, held),
                  "tuned": accuracy(tuned, train, held), "moved": float(np.mean(np.abs(tuned - frozen)))}
        log(f"fold {fold}: frozen {result['frozen']:.1%}, tuned {result['tuned']:.1%}")
        results.append(result)
    return results


class TunedEncoder:
    """What the components ask of the process's encoder, answered by a tuned one."""

    def __init__(self, encode: Callable[[Sequence[str]], np.ndarray]) -> None:
        self._encode = encode

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        return self._encode(list(texts)) if len(texts) else np.zeros((0, DIMENSION), dtype=np.float32)

    def encode_one(self, text: str) -> np.ndarray:
        return self._encode([text])[0]


@contextlib.contextmanager
def swapped(encoder: Any, cache_dir: Path) -> Iterator[Any]:
    """``encoder`` as the process's encoder, its vectors cached in ``cache_dir`` (never mixed with the frozen ones)."""
    from bot.core import wiring

    with wiring.override("encoder", encoder), wiring.override("embedding_cache", cache_dir / "embeddings.npz"):
        yield encoder


def dev_reading(epochs: float, lr: float) -> int:
    """Tune on every training line, then the quick dev loops of the intent model and the crisis model."""
    from bot.evaluation import crisis, faq

    examples = faq_data.train_examples()
    encoder = TunedEncoder(fine_tune([e.text for e in examples], [e.label for e in examples], epochs, lr))
    with tempfile.TemporaryDirectory() as tmp, swapped(encoder, Path(tmp)):
        print("== the intent model on dev, tuned encoder")
        faq.main(["--quick"])
        print("== the crisis model on dev, tuned encoder")
        crisis.main(["--quick"])
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--fold", type=int, action="append", help="which folds to run (default: all)")
    parser.add_argument("--epochs", type=float, default=3.0)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--dev", action="store_true", help="tune on all training lines, then both models' quick dev loops")
    args = parser.parse_args(argv)
    if args.dev:
        return dev_reading(args.epochs, args.lr)
    chosen = args.fold if args.fold is not None else list(range(args.folds))
    results = probe(faq_data.train_examples(), args.folds, chosen, args.epochs, args.lr)
    held = sum(r["held"] for r in results)
    for key in ("frozen", "tuned"):
        print(f"{key}: {sum(r[key] * r['held'] for r in results) / held:.1%} over {held} held-out lines")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
