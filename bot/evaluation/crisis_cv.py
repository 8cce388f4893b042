"""Which explicit statements, attempts and dangers the crisis model only checks in on, by cross-validation.

The rules (``data/crisis/rules/``) are for shapes unmistakable enough to
hand off whatever the model says. This shows where they would help without
reading any evaluation set: the crisis model's training lines in K folds by
family, each fold's explicit statements, attempts and dangers read by a model
that never saw their family, listed when that model does not hand them off
and no rule matches them. A shape that recurs there, and that no lookalike
or everyday line shares, is a rule candidate; `tests/unit/test_crisis_rules.py`
then holds the rule to every training line.

    python -m bot.evaluation.crisis_cv [--folds 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from bot.understanding import crisis_data


def cross_validated(examples: Sequence[crisis_data.Example], folds: int) -> List[Dict[str, Any]]:
    """Each explicit/attempt/danger line's verdict from a model fitted on the other folds' families."""
    from sklearn.model_selection import GroupKFold

    from bot.evaluation.quick_crisis import EmbeddingCache, component_config, frozen_encoder
    from bot.understanding.crisis_component import CrisisModel
    from bot.understanding.crisis_rules import get_rules

    texts = [e.text for e in examples]
    # The frozen encoder: the one `rasa train` tunes has seen every fold's lines.
    encoder = frozen_encoder()
    embeddings = EmbeddingCache(encoder=encoder).encode(encoder, texts)
    rules = get_rules()
    out: List[Dict[str, Any]] = []
    for train, held in GroupKFold(n_splits=folds).split(texts, groups=[e.family for e in examples]):
        component = CrisisModel(component_config(), None, None)  # type: ignore[arg-type]
        component.fit([texts[i] for i in train], embeddings[train], [examples[i].category for i in train])
        for i in held:
            example = examples[i]
            if example.kind not in crisis_data.HANDOFF_KINDS:
                continue
            verdict = component.assess(example.text)
            out.append({"text": example.text, "kind": example.kind, "category": example.category,
                        "family": example.family, "zone": verdict.zone, "risk": round(float(verdict.risk), 3),
                        "rule": rules.match(example.text) is not None})
    return out


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write every verdict here")
    args = parser.parse_args(argv)
    examples = crisis_data.training_examples()
    rows = cross_validated(examples, args.folds)
    print(f"{len(rows)} explicit, attempt and danger training lines, {args.folds} folds by family")
    for (kind, zone), n in sorted(Counter((r["kind"], r["zone"]) for r in rows).items()):
        print(f"  {kind:18} {zone:9} {n}")
    print(f"matched by a rule: {sum(r['rule'] for r in rows)}")
    print("not handed off and no rule matches (rule candidates if the shape is unmistakable):")
    for r in sorted((r for r in rows if r["zone"] != "handoff" and not r["rule"]), key=lambda r: (r["kind"], r["risk"])):
        print(f"  {r['kind'][:9]:9} {r['zone']:8} {r['risk']:.2f}  {r['text'][:110]!r}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=0), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
