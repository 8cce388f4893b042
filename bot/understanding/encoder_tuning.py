"""The shared sentence encoder tuned on the project's own labels, once per training data.

Why: the frozen all-MiniLM-L6-v2 places every family the data lacks by a
general-purpose geometry, where a request for a poem sits near a goodbye and a
question about costs near one about insurance. Tuned on both label sets at
once (the FAQ topics and intents, and the crisis categories, each with a head
of its own over the one shared encoder), the dev sets read better on the
figures no data round had moved (docs/crisis-protocol.md, "Measured").

How: the verified upstream weights (``make encoder``) are tuned with a
softmax head per task in batches of alike length (with ``train_layers`` below
6, only the top layers, each line's states under them computed once), then
exported with the upstream pooling to ONNX, exactly as the frozen encoder is,
and checked against TensorFlow. The export is kept in the tuning cache
(``ENCODER_TUNING_CACHE``: by default the user's cache folder, shared by every
clone on the machine) under ``<key>``; the key hashes the lines, their labels,
the options, the base weights and this module's code, so
``rasa train`` with unchanged data, and the quick dev loops of
``bot.evaluation`` on the same data, use one and the same tuned encoder.
Training is seeded and TensorFlow's ops are made deterministic, so a fresh
clone tunes the same encoder on the same machine.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, List, Optional, Sequence, Tuple

import numpy as np

from bot.understanding.encoder import DEFAULT_DIR, MANIFEST, ONNX_FILE, make_tokenizer, tokenize

# The runtime reads these beside model.onnx (SentenceEncoder); the weights are not kept.
KEPT = ("tokenizer.json", "config.json")
# The ONNX export must give TensorFlow's vectors, as the frozen export must (tests/unit/test_encoder.py).
EXPORT_TOLERANCE = 1e-4
FAQ_TASK, CRISIS_TASK = "faq", "crisis"


@dataclass(frozen=True)
class TuningOptions:
    """How the encoder is tuned; ``config.yml`` sets them on the featurizer.

    Chosen on dev (README, "Figures"): 3 epochs of both label sets at 1e-4
    moved the crisis and out-of-scope figures most; batches by length cut a
    step's padding about 2.2 times with no loss measured.
    """

    epochs: float = 3.0
    lr: float = 1e-4
    batch: int = 32
    seed: int = 0
    train_layers: int = 6
    by_length: bool = True


Lines = Tuple[List[str], List[str], List[str]]


def tuning_lines(faq: Sequence[Tuple[str, str]], crisis: Sequence[Tuple[str, str]]) -> Lines:
    """(text, label) pairs of both tasks as one tuning set: texts, labels, tasks, in a fixed order.

    Sorted, so the same lines give the same key and the same tuning whichever
    loader read them (``rasa train`` or the quick dev loops).
    """
    rows = sorted({(FAQ_TASK, label, text) for text, label in faq} | {(CRISIS_TASK, label, text) for text, label in crisis})
    return [r[2] for r in rows], [r[1] for r in rows], [r[0] for r in rows]


def project_lines(faq_dir: Path, crisis_dir: Path) -> Lines:
    """The project's tuning set: the intent model's training lines and the crisis model's own."""
    from bot.understanding import crisis_data, faq_data

    return tuning_lines([(e.text, e.label) for e in faq_data.load(faq_dir)],
                        [(e.text, e.category) for e in crisis_data.load(crisis_dir)])


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


def fine_tune(texts: Sequence[str], labels: Sequence[str], options: TuningOptions = TuningOptions(),
              tasks: Optional[Sequence[str]] = None, log: Callable[[str], None] = print) -> Any:
    """The encoder's TensorFlow BERT tuned with a softmax head per task on ``labels``.

    ``train_layers`` below 6 freezes the word embeddings and the lower layers;
    ``tasks`` names each line's task (one head each, the encoder under them shared).
    """
    with warnings.catch_warnings():
        # Keras draws its seeds with random.randint(1, 1e9), which Python 3.10 warns about on every draw.
        warnings.filterwarnings("ignore", "non-integer arguments to randrange", DeprecationWarning)
        return _fine_tune(texts, labels, options, tasks, log)


def _fine_tune(texts: Sequence[str], labels: Sequence[str], options: TuningOptions,
               tasks: Optional[Sequence[str]], log: Callable[[str], None]) -> Any:
    import tensorflow as tf

    from bot.understanding.encoder_build import load_tf_model, mean_pool

    # Python's, NumPy's and TensorFlow's generators: Keras draws the heads' initial weights from all three.
    tf.keras.utils.set_random_seed(options.seed)
    tf.config.experimental.enable_op_determinism()
    names = list(tasks) if tasks is not None else [""] * len(texts)
    task_names = sorted(set(names))
    task_of = np.array([task_names.index(n) for n in names])
    classes = [sorted({label for label, n in zip(labels, names, strict=True) if n == t}) for t in task_names]
    y = np.array([classes[t].index(label) for label, t in zip(labels, task_of, strict=True)])
    tokenizer = make_tokenizer(DEFAULT_DIR)
    bert = load_tf_model(DEFAULT_DIR)
    # The pooler is not part of the sentence embedding (mean pooling is): no gradient reaches it.
    bert.bert.pooler.trainable = False
    layers = bert.bert.encoder.layer
    if options.train_layers < len(layers):
        bert.bert.embeddings.trainable = False
        for layer in layers[: len(layers) - options.train_layers]:
            layer.trainable = False
    heads = [tf.keras.layers.Dense(len(c)) for c in classes]
    optimizer = tf.keras.optimizers.Adam(options.lr)
    lower = len(layers) - options.train_layers if options.train_layers < len(layers) else 0
    # Frozen lower layers give every line the same states in every epoch: computed once,
    # each step then runs only the tuned layers.
    inputs = LowerStates(bert, lower, texts, tokenizer) if lower else None

    def make_step(head: Any) -> Any:
        @tf.function(reduce_retracing=True)
        def step(first: Any, mask: Any, targets: Any) -> Any:
            with tf.GradientTape() as tape:
                if inputs is None:
                    hidden = bert(input_ids=first, attention_mask=mask, token_type_ids=tf.zeros_like(first),
                                  training=True).last_hidden_state
                else:
                    hidden = upper_layers(bert, lower, first, mask, training=True)
                # Unit-length embeddings give small logits; the scale lets the softmax become confident.
                logits = head(mean_pool(hidden, mask)) * 20.0
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
    rng = np.random.default_rng(options.seed)
    lengths = [len(e.ids) for e in tokenizer.encode_batch(list(texts))] if options.by_length else None
    epoch = epoch_batches(task_of, lengths, options.batch, rng)
    steps = max(1, int(options.epochs * len(epoch)))
    started = time.perf_counter()
    for s in range(steps):
        if s and s % len(epoch) == 0:
            epoch = epoch_batches(task_of, lengths, options.batch, rng)
        picked = epoch[s % len(epoch)]
        batch = inputs.batch(picked) if inputs is not None else tokenize(tokenizer, [texts[i] for i in picked])
        loss = steps_of[task_of[picked[0]]](*batch, y[picked])
        if s % 200 == 0 or s == steps - 1:
            log(f"  tuning the encoder: step {s + 1}/{steps}, loss {float(loss):.3f}, {time.perf_counter() - started:.0f} s")
    return bert


def extended_mask(mask: Any) -> Any:
    """BERT's additive attention mask: 0 where a token is real, -10000 at padding (as TFBertMainLayer makes it)."""
    import tensorflow as tf

    return (1.0 - tf.cast(mask, tf.float32)[:, None, None, :]) * -10000.0


def upper_layers(bert: Any, lower: int, hidden: Any, mask: Any, training: bool) -> Any:
    """The states after every layer above the ``lower`` first, from the states after those."""
    additive = extended_mask(mask)
    for layer in bert.bert.encoder.layer[lower:]:
        hidden = layer(hidden_states=hidden, attention_mask=additive, head_mask=None, encoder_hidden_states=None,
                       encoder_attention_mask=None, past_key_value=None, output_attentions=False,
                       training=training)[0]
    return hidden


class LowerStates:
    """Every line's token states after the frozen embeddings and lower layers, computed once (no dropout)."""

    def __init__(self, bert: Any, lower: int, texts: Sequence[str], tokenizer: Any, chunk: int = 64) -> None:
        import tensorflow as tf

        self.states: List[np.ndarray] = [np.zeros(0)] * len(texts)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for k in range(0, len(order), chunk):
            part = order[k:k + chunk]
            ids, mask = tokenize(tokenizer, [texts[i] for i in part])
            hidden = bert.bert.embeddings(input_ids=tf.constant(ids), token_type_ids=tf.zeros_like(ids), training=False)
            additive = extended_mask(mask)
            for layer in bert.bert.encoder.layer[:lower]:
                hidden = layer(hidden_states=hidden, attention_mask=additive, head_mask=None, encoder_hidden_states=None,
                               encoder_attention_mask=None, past_key_value=None, output_attentions=False,
                               training=False)[0]
            hidden = hidden.numpy()
            for row, i in enumerate(part):
                self.states[i] = hidden[row, : int(mask[row].sum())]

    def batch(self, picked: Sequence[int] | np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """The picked lines' states, right-padded to the longest, and their attention mask."""
        width = max(len(self.states[i]) for i in picked)
        out = np.zeros((len(picked), width, self.states[picked[0]].shape[1]), dtype=np.float32)
        mask = np.zeros((len(picked), width), dtype=np.int32)
        for row, i in enumerate(picked):
            out[row, : len(self.states[i])] = self.states[i]
            mask[row, : len(self.states[i])] = 1
        return out, mask


def tuning_key(lines: Lines, options: TuningOptions) -> str:
    """What the tuned encoder is a function of: the base weights, this module's code, the options, every line and label."""
    base = json.loads((DEFAULT_DIR / MANIFEST).read_text())["sha256"]
    code = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
    digest = hashlib.sha256(json.dumps({"base": base, "code": code, "options": asdict(options)}, sort_keys=True).encode())
    for text, label, task in zip(*lines, strict=True):
        digest.update(f"{task}\t{label}\t{text}\n".encode())
    return digest.hexdigest()[:24]


def export_tuned(bert: Any, directory: Path, check: Sequence[str]) -> float:
    """The tuned model, pooled and normalised, as ``directory``/model.onnx; returns the largest gap to TensorFlow."""
    from bot.understanding.encoder import SentenceEncoder
    from bot.understanding.encoder_build import embedder, export_function, tf_reference

    embed = embedder(bert)
    export_function(embed, directory)
    reference = tf_reference(check, DEFAULT_DIR, embed)
    (directory / MANIFEST).write_text("{}")  # SentenceEncoder wants a manifest; the real one follows
    exported = SentenceEncoder(directory, threads=1, cache_size=0).encode(list(check))
    return float(np.abs(exported - reference).max())


def default_cache_root() -> Path:
    """Where tuned encoders are kept (``ENCODER_TUNING_CACHE``)."""
    from bot.core.settings import get_settings

    return get_settings().encoder_tuning_cache


def tuned_encoder_dir(lines: Lines, options: TuningOptions = TuningOptions(), cache_root: Optional[Path] = None,
                      log: Callable[[str], None] = print) -> Path:
    """The directory of the encoder tuned on ``lines`` (tuned and exported now unless cached)."""
    from bot.understanding.encoder_build import sha256

    key = tuning_key(lines, options)
    directory = (cache_root or default_cache_root()) / key
    if (directory / MANIFEST).exists() and (directory / ONNX_FILE).exists():
        return directory
    started = time.perf_counter()
    bert = fine_tune(lines[0], lines[1], options, tasks=lines[2], log=log)
    seconds = time.perf_counter() - started
    # Each builder stages apart: two clones tuning the same key at once never write into one folder.
    staging = directory.with_name(f"{key}.{os.getpid()}.building")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name in KEPT:
        shutil.copy(DEFAULT_DIR / name, staging / name)
    # Short and long, crisis and FAQ, and one past the 256 tokens the model reads.
    check = ["how much does therapy cost?", "i want to end it all tonight", "", "word " * 300, *lines[0][:: max(1, len(lines[0]) // 16)]]
    gap = export_tuned(bert, staging, check)
    if gap > EXPORT_TOLERANCE:
        raise RuntimeError(f"the tuned encoder's ONNX export differs from TensorFlow by {gap:.2g}; not kept")
    base = json.loads((DEFAULT_DIR / MANIFEST).read_text())
    manifest = {
        **base,
        "tuned": {"key": key, "options": asdict(options), "lines": len(lines[0]),
                  "tasks": {t: lines[2].count(t) for t in sorted(set(lines[2]))}, "seconds": round(seconds)},
        "onnx_sha256": sha256(staging / ONNX_FILE),
    }
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    if (directory / MANIFEST).exists():  # another builder finished first, with the same encoder (same key)
        shutil.rmtree(staging, ignore_errors=True)
    else:
        shutil.rmtree(directory, ignore_errors=True)  # a folder left half-built by a killed run
        staging.rename(directory)
    log(f"  tuned encoder {key} ready ({len(lines[0])} lines, {seconds:.0f} s of tuning)")
    return directory


__all__ = ["TuningOptions", "tuning_lines", "project_lines", "fine_tune", "tuned_encoder_dir", "batches_by_length",
           "epoch_batches"]
