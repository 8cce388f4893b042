"""Fine-tuning the sentence encoder, measured by family: cross-validation and the dev loops.

The bot tunes its encoder at training time (``bot.understanding.encoder_tuning``,
config.yml), on every training line. Cross-validation by family (``make eval``)
keeps the frozen encoder, because the tuned one has seen every fold's labels;
this probe gives the honest figure: for each fold of the same 3-fold split by
family, it scores the intent model on the frozen embeddings, then tunes the
encoder on the training folds' lines only (the same ``fine_tune`` the bot
runs) and scores the same intent model on the tuned embeddings of the same
lines. The held-out fold never reaches the tuning.

    python -m bot.evaluation.finetune_probe --fold 0 --epochs 3 --by-length --with-crisis --train-layers 2

``--dev`` tunes on every training line instead, swaps the tuned encoder in
for the process, and runs the quick dev loops of both models with it
(``make eval-faq ARGS=--quick`` and ``python -m bot.evaluation.crisis --quick``),
at the thresholds in config.yml; its vectors are cached apart from the frozen ones.

``--by-length`` batches lines of similar length (on 2026-12-07's evening
machine, 150 steps took 70 s in random batches and 32 s by length);
``--with-crisis`` also tunes on the crisis model's own training lines, with a
head of their own, since the encoder is shared by both models;
``--train-layers`` tunes only the top layers, each line's states below them
computed once.
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

from bot.understanding import crisis_data, encoder_tuning, faq_data
from bot.understanding.encoder import DIMENSION
from bot.understanding.encoder_tuning import TuningOptions, batches_by_length, epoch_batches
from bot.understanding.faq_data import Example

__all__ = ["batches_by_length", "epoch_batches", "fine_tune", "probe", "swapped", "TunedEncoder"]


def beside_crisis_lines(texts: Sequence[str], labels: Sequence[str],
                        crisis_lines: Sequence[Any]) -> tuple[List[str], List[str], List[str]]:
    """FAQ lines and the crisis model's own lines as one tuning set: texts, labels and each line's task."""
    return ([*texts, *(e.text for e in crisis_lines)], [*labels, *(e.category for e in crisis_lines)],
            ["faq"] * len(texts) + ["crisis"] * len(crisis_lines))


def fine_tune(texts: Sequence[str], labels: Sequence[str], epochs: float, lr: float,
              batch: int = 32, seed: int = 0, log: Callable[[str], None] = print,
              train_layers: int = 6, by_length: bool = False,
              tasks: Optional[Sequence[str]] = None) -> Callable[[Sequence[str]], np.ndarray]:
    """The tuned encoder's ``encode`` (``encoder_tuning.fine_tune``, the bot's own tuning), kept in TensorFlow."""
    from bot.understanding.encoder import DEFAULT_DIR, make_tokenizer, tokenize
    from bot.understanding.encoder_build import embedder

    options = TuningOptions(epochs=epochs, lr=lr, batch=batch, seed=seed, train_layers=train_layers, by_length=by_length)
    embed = embedder(encoder_tuning.fine_tune(texts, labels, options, tasks=tasks, log=log))
    tokenizer = make_tokenizer(DEFAULT_DIR)

    def encode(batch_texts: Sequence[str]) -> np.ndarray:
        out = [embed(*tokenize(tokenizer, list(batch_texts[k:k + 64]))).numpy()
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

    from bot.evaluation.faq import label_tallies, predict_held
    from bot.evaluation.quick_crisis import component_config
    from bot.evaluation.quick_faq import COMPONENT
    from bot.understanding.encoder import get_encoder
    from bot.understanding.intent_component import IntentModel

    intent_model = IntentModel(component_config(name=COMPONENT), None, None)  # type: ignore[arg-type]
    neighbours, c = intent_model.neighbour_options(), float(intent_model.config["c"])
    texts, labels = [e.text for e in examples], [e.label for e in examples]
    frozen = get_encoder().encode(texts)
    splits = list(GroupKFold(n_splits=folds).split(texts, labels, [e.group for e in examples]))

    def scored(embeddings: np.ndarray, train: np.ndarray, held: np.ndarray) -> Dict[str, List[int]]:
        """Per topic: [right, held out] (every topic's own figure is what the FAQ targets ask for)."""
        return label_tallies([labels[i] for i in held], predict_held(texts, labels, embeddings, train, held, c, neighbours))

    def accuracy(counts: Dict[str, List[int]]) -> float:
        return sum(right for right, _ in counts.values()) / sum(n for _, n in counts.values())

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
        by_topic = {"frozen": scored(frozen, train, held), "tuned": scored(tuned, train, held)}
        result = {"fold": fold, "held": len(held), "frozen": accuracy(by_topic["frozen"]),
                  "tuned": accuracy(by_topic["tuned"]), "moved": float(np.mean(np.abs(tuned - frozen))),
                  "tuning_seconds": round(seconds, 1), "by_topic": by_topic, **tuning}
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


def print_topics(results: Sequence[Dict[str, Any]]) -> None:
    """Each topic's accuracy over the chosen folds, frozen and tuned, weakest (tuned) first."""
    totals: Dict[str, Dict[str, List[int]]] = {}
    for result in results:
        for key, counts in result["by_topic"].items():
            for topic, (right, n) in counts.items():
                tally = totals.setdefault(topic, {}).setdefault(key, [0, 0])
                tally[0] += right
                tally[1] += n
    rows = sorted(totals.items(), key=lambda item: item[1]["tuned"][0] / item[1]["tuned"][1])
    print(f"{'topic':<34} {'frozen':>7} {'tuned':>7} {'lines':>6}")
    for topic, by_encoder in rows:
        frozen, tuned = (by_encoder[k][0] / by_encoder[k][1] for k in ("frozen", "tuned"))
        print(f"{topic:<34} {frozen:>7.1%} {tuned:>7.1%} {by_encoder['tuned'][1]:>6}")


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
    print_topics(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
