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

A random batch of 32 is padded to its longest line; ``--by-length`` batches
lines of similar length (on 2026-12-07's evening machine, 150 steps took 70 s
in random batches and 32 s by length); ``--with-crisis`` also tunes on the
crisis model's own training lines, with a head of their own, since the
encoder is shared by both models; ``--train-layers`` tunes only the top
layers. Adopting it would change the one encoding every component reads,
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

from bot.understanding import crisis_data, faq_data
from bot.understanding.encoder import DIMENSION
from bot.understanding.faq_data import Example


def batches_by_length(lengths: Sequence[int], batch: int, rng: np.random.Generator) -> List[np.ndarray]:
    """One epoch's batches of lines of similar length, in random order.

    A batch is padded to its longest line, and a few long stories among short
    questions made most of each step padding; sorting (with random ties)
    before cutting keeps each batch's lines alike, shuffling the batches keeps
    the labels mixed over the epoch.
    """
    order = np.lexsort((rng.random(len(lengths)), np.asarray(lengths)))
    cut = [order[k:k + batch] for k in range(0, len(order), batch)]
    rng.shuffle(cut)  # type: ignore[arg-type]
    return cut


def epoch_batches(tasks: np.ndarray, lengths: Optional[Sequence[int]], batch: int,
                  rng: np.random.Generator) -> List[np.ndarray]:
    """One epoch's batches: each batch from one task only (one head per task), all tasks' batches shuffled together.

    With ``lengths``, a task's lines are batched by length (``batches_by_length``);
    without, in random order.
    """
    out: List[np.ndarray] = []
    for task in np.unique(tasks):
        members = np.flatnonzero(tasks == task)
        # Equal lengths leave only the random ties: random order.
        keys = [lengths[i] for i in members] if lengths is not None else [0] * len(members)
        out += [members[b] for b in batches_by_length(keys, batch, rng)]
    rng.shuffle(out)  # type: ignore[arg-type]
    return out


def beside_crisis_lines(texts: Sequence[str], labels: Sequence[str],
                        crisis_lines: Sequence[Any]) -> tuple[List[str], List[str], List[str]]:
    """FAQ lines and the crisis model's own lines as one tuning set: texts, labels and each line's task."""
    return ([*texts, *(e.text for e in crisis_lines)], [*labels, *(e.category for e in crisis_lines)],
            ["faq"] * len(texts) + ["crisis"] * len(crisis_lines))


def fine_tune(texts: Sequence[str], labels: Sequence[str], epochs: float, lr: float,
              batch: int = 32, seed: int = 0, log: Callable[[str], None] = print,
              train_layers: int = 6, by_length: bool = False,
              tasks: Optional[Sequence[str]] = None) -> Callable[[Sequence[str]], np.ndarray]:
    """Fine-tune the encoder with a softmax head on ``labels``; return the tuned encoder's ``encode``.

    ``train_layers`` tunes only the top layers (the word embeddings and the
    lower layers stay frozen, so no gradient flows below them); ``by_length``
    batches lines of similar length (``batches_by_length``). Both make a step
    cheaper: what they cost in accuracy is what the probe measures.
    ``tasks`` names each line's task (the FAQ labels, the crisis categories):
    each task has a head of its own over its own labels, and the encoder
    under them is shared, as it is in the bot.
    """
    import tensorflow as tf
    from transformers import TFAutoModel
    from transformers.utils import logging as hf_logging

    from bot.understanding.encoder import DEFAULT_DIR, make_tokenizer, tokenize
    from bot.understanding.encoder_build import mean_pool

    hf_logging.set_verbosity_error()
    tf.random.set_seed(seed)
    names = list(tasks) if tasks is not None else [""] * len(texts)
    task_names = sorted(set(names))
    task_of = np.array([task_names.index(n) for n in names])
    classes = [sorted({label for label, n in zip(labels, names, strict=True) if n == t}) for t in task_names]
    y = np.array([classes[t].index(label) for label, t in zip(labels, task_of, strict=True)])
    tokenizer = make_tokenizer(DEFAULT_DIR)
    bert = TFAutoModel.from_pretrained(str(DEFAULT_DIR))
    layers = bert.bert.encoder.layer
    if train_layers < len(layers):
        bert.bert.embeddings.trainable = False
        for layer in layers[: len(layers) - train_layers]:
            layer.trainable = False
    heads = [tf.keras.layers.Dense(len(c)) for c in classes]
    optimizer = tf.keras.optimizers.Adam(lr)

    def pooled(ids: Any, mask: Any, training: bool) -> Any:
        hidden = bert(input_ids=ids, attention_mask=mask, token_type_ids=tf.zeros_like(ids), training=training).last_hidden_state
        return mean_pool(hidden, mask)

    def make_step(head: Any) -> Any:
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
        return step

    for head in heads:
        head.build((None, bert.config.hidden_size))
    # Every head's variables up front: Keras' optimizer refuses variables it was not built with.
    optimizer.build(bert.trainable_variables + [v for head in heads for v in head.trainable_variables])
    steps_of = [make_step(head) for head in heads]
    rng = np.random.default_rng(seed)
    lengths = [len(e.ids) for e in tokenizer.encode_batch(list(texts))] if by_length else None
    epoch = epoch_batches(task_of, lengths, batch, rng)
    steps = max(1, int(epochs * len(epoch)))
    started = time.perf_counter()
    for s in range(steps):
        if s and s % len(epoch) == 0:
            epoch = epoch_batches(task_of, lengths, batch, rng)
        picked = epoch[s % len(epoch)]
        loss = steps_of[task_of[picked[0]]](*tokenize(tokenizer, [texts[i] for i in picked]), y[picked])
        if s % 100 == 0 or s == steps - 1:
            log(f"  step {s + 1}/{steps}: loss {float(loss):.3f}, {time.perf_counter() - started:.0f} s")

    def encode(batch_texts: Sequence[str]) -> np.ndarray:
        out = [pooled(*tokenize(tokenizer, list(batch_texts[k:k + 64])), False).numpy()
               for k in range(0, len(batch_texts), 64)]
        return np.concatenate(out).astype(np.float32)

    return encode


def probe(examples: Sequence[Example], folds: int, chosen: Sequence[int], epochs: float, lr: float,
          log: Callable[[str], None] = print, crisis_lines: Sequence[Any] = (), **tuning: Any) -> List[Dict[str, Any]]:
    """For each chosen fold: the intent model's accuracy on the held-out families, frozen vs tuned encoder.

    ``crisis_lines`` (the crisis model's own training lines) are tuned on in
    every fold beside the fold's FAQ lines, with a head of their own.
    """
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
        started = time.perf_counter()
        tune_texts, tune_labels, tune_tasks = beside_crisis_lines(
            [texts[i] for i in train], [labels[i] for i in train], crisis_lines)
        encode = fine_tune(tune_texts, tune_labels, epochs, lr, log=log, tasks=tune_tasks, **tuning)
        seconds = time.perf_counter() - started
        tuned = encode(texts)
        result = {"fold": fold, "held": len(held), "frozen": accuracy(frozen, train, held),
                  "tuned": accuracy(tuned, train, held), "moved": float(np.mean(np.abs(tuned - frozen))),
                  "tuning_seconds": round(seconds, 1), **tuning}
        log(f"fold {fold}: frozen {result['frozen']:.1%}, tuned {result['tuned']:.1%} ({seconds:.0f} s of tuning)")
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


def dev_reading(epochs: float, lr: float, crisis_lines: Sequence[Any] = (), **tuning: Any) -> int:
    """Tune on every training line, then the quick dev loops of the intent model and the crisis model."""
    from bot.evaluation import crisis, faq

    examples = faq_data.train_examples()
    texts, labels, tasks = beside_crisis_lines([e.text for e in examples], [e.label for e in examples], crisis_lines)
    started = time.perf_counter()
    encoder = TunedEncoder(fine_tune(texts, labels, epochs, lr, tasks=tasks, **tuning))
    print(f"tuned on {len(texts)} lines in {time.perf_counter() - started:.0f} s")
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
    parser.add_argument("--train-layers", type=int, default=6, help="tune only this many top layers (6: all)")
    parser.add_argument("--by-length", action="store_true", help="batch lines of similar length (less padding)")
    parser.add_argument("--with-crisis", action="store_true",
                        help="also tune on the crisis model's own training lines, with a head of their own")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--dev", action="store_true", help="tune on all training lines, then both models' quick dev loops")
    args = parser.parse_args(argv)
    crisis_lines = crisis_data.load(crisis_data.TRAIN_DIR) if args.with_crisis else []
    if args.dev:
        return dev_reading(args.epochs, args.lr, crisis_lines, train_layers=args.train_layers, by_length=args.by_length)
    chosen = args.fold if args.fold is not None else list(range(args.folds))
    results = probe(faq_data.train_examples(), args.folds, chosen, args.epochs, args.lr,
                    crisis_lines=crisis_lines, train_layers=args.train_layers, by_length=args.by_length)
    held = sum(r["held"] for r in results)
    for key in ("frozen", "tuned"):
        print(f"{key}: {sum(r[key] * r['held'] for r in results) / held:.1%} over {held} held-out lines")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
