"""``make eval``: NLU cross-validation with the figures that matter for this bot.

Runs Rasa's own cross-validation on data/nlu (same config as production) and
prints intent accuracy, response-selector (FAQ topic) accuracy, their macro
F1, and the most frequent confusion pairs, so a change to the training data
can be judged by more than one held-out file.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from bot.settings import ROOT


def confusions(errors_file: Path, key: str) -> Counter:
    if not errors_file.exists():
        return Counter()
    pairs: Counter = Counter()
    for e in json.loads(errors_file.read_text()):
        if key == "intent":
            want, got = e["intent"], (e.get("intent_prediction") or {}).get("name")
        else:
            want = e.get("intent_response_key_target")
            got = (e.get("intent_response_key_prediction") or {}).get("name")
        pairs[(want, got)] += 1
    return pairs


def summary(report_file: Path) -> tuple[float, float]:
    report = json.loads(report_file.read_text())
    return report["accuracy"], report["macro avg"]["f1-score"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "cv")
    args = parser.parse_args(argv)
    rasa = str(Path(sys.executable).with_name("rasa"))
    cmd = [rasa, "test", "nlu", "--nlu", "data", "--config", "config.yml", "--domain", "domain.yml",
           "--cross-validation", "--folds", str(args.folds), "--out", str(args.out), "--quiet"]
    print("==> " + " ".join(cmd[1:]))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if subprocess.call(cmd, cwd=ROOT, env=env) != 0:
        return 1
    intent_acc, intent_f1 = summary(args.out / "intent_report.json")
    rs_acc, rs_f1 = summary(args.out / "response_selection_report.json")
    print(f"\n{args.folds}-fold cross-validation")
    print(f"  intent accuracy            {intent_acc:.1%}  (macro F1 {intent_f1:.3f})")
    print(f"  FAQ topic (response sel.)  {rs_acc:.1%}  (macro F1 {rs_f1:.3f})")
    for label, key, name in (("intent", "intent", "intent_errors.json"), ("topic", "rs", "response_selection_errors.json")):
        top = confusions(args.out / name, key).most_common(10)
        if top:
            print(f"  most confused {label} pairs (expected -> predicted: count):")
            for (want, got), n in top:
                print(f"    {want} -> {got}: {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
