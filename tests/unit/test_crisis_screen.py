"""The crisis screen: n-grams only, the same numbers as scikit-learn, and the door it holds open when a server is full."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Iterator

import numpy as np
import pytest

from bot.core import wiring
from bot.evaluation import screen as screen_eval
from bot.understanding.crisis_component import CrisisModel
from bot.understanding.crisis_data import TRAIN_DIR, Example, load
from bot.understanding.crisis_model import CrisisScreen, ModelOptions

NEVER = 1.01


@pytest.fixture(scope="module")
def fitted() -> CrisisScreen:
    """Fitted on every third training message of the real data; no sentence encoder anywhere."""
    examples = load(TRAIN_DIR)[::3]
    return CrisisScreen(ModelOptions(c=8.0, embedding=False)).fit([e.text for e in examples], None,
                                                                 [e.category for e in examples])


def with_screen(screen: CrisisScreen, threshold: float) -> CrisisModel:
    return CrisisModel({"screen_threshold": threshold}, None, None, None, screen)  # type: ignore[arg-type]


@pytest.fixture
def wired(fitted: CrisisScreen) -> Iterator[None]:
    """The screen as the loaded archive wires it; the full model's budget spent, so only rules and screen decide."""
    with wiring.override("crisis_model", with_screen(fitted, 0.3)):
        yield


def test_the_screen_reads_no_embedding_and_equals_scikit_learn(fitted: CrisisScreen) -> None:
    texts = ["i want to die", "what is cbt", "me quiero morir", "", "took all my pills an hour ago " * 30]
    fast, reference = fitted.predict_proba(texts, None), fitted.predict_proba_reference(texts, None)
    assert np.abs(fast - reference).max() < 1e-9
    # No column for an embedding: the coefficients are the n-gram vocabularies and nothing else.
    assert fitted.model.coef_.shape[1] == len(fitted.vectorizer.vocabulary_) + len(fitted.words.vocabulary_)


def test_the_screen_is_saved_beside_the_model_and_loads_back(fitted: CrisisScreen, tmp_path: Path) -> None:
    fitted.save(tmp_path)
    again = CrisisScreen.load(tmp_path)
    texts = ["i have the rope ready for tonight", "how much does therapy cost"]
    assert np.array_equal(again.predict_proba(texts, None), fitted.predict_proba(texts, None))


def test_screens_in_follows_the_threshold(fitted: CrisisScreen) -> None:
    text = "i have been saving up my pills for a while now"
    risk = with_screen(fitted, 0.3).screen_risk(text)
    assert risk is not None and 0.0 < risk < 1.0
    assert with_screen(fitted, risk).screens_in(text) is True
    assert with_screen(fitted, NEVER).screens_in(text) is False
    assert CrisisModel({}, None, None, None, None).screens_in(text) is None  # type: ignore[arg-type]  # an old archive


@pytest.mark.usefixtures("wired")
def test_a_full_server_admits_what_the_screen_flags_even_with_the_models_budget_spent() -> None:
    from bot.channels.shed import Admission
    from bot.understanding.crisis_rules import get_rules

    # Crisis messages no explicit-statement rule matches: only the screen can let them in.
    concealed = ["been giving away my stuff, wont need it after this weekend",
                 "everyone would be better off if i was gone, i've got it all planned"]
    assert all(get_rules().match(t) is None for t in concealed)

    async def scenario() -> tuple[list, list]:
        gate = Admission(max_in_flight=0, max_wait_seconds=10.0)  # always full
        while gate.model_budget.allow("model"):
            pass  # the full model's budget is spent: the rules and the screen decide alone
        return ([gate.refusal(t, f"c{i}", "127.0.0.1") for i, t in enumerate(concealed)],
                [gate.refusal(t, f"o{i}", "127.0.0.1") for i, t in enumerate(["what is cbt", "how much do sessions cost"])])

    crisis, others = asyncio.run(scenario())
    assert crisis == [None, None]
    assert all(r is not None and r.status == 429 for r in others)


def test_the_chosen_threshold_is_the_highest_that_keeps_recall(fitted: CrisisScreen) -> None:
    examples = [Example(t, "suicide", "explicit", f"f{i}") for i, t in enumerate(["i want to end it", "no reason to live"])]
    examples += [Example(t, "none", "faq", f"n{i}") for i, t in enumerate(["what is dbt", "is therapy confidential"])]
    rows, ms = screen_eval.score(with_screen(fitted, 0.3), examples)
    lowest_crisis = min(r.risk for r in rows if r.example.is_crisis and not r.rule)
    chosen = screen_eval.choose(rows)
    assert chosen <= lowest_crisis or all(r.rule for r in rows if r.example.is_crisis)
    assert screen_eval.metrics(rows, chosen)["crisis_admitted"] == 1.0
    assert ms > 0


@pytest.mark.usefixtures("wired")
def test_a_late_loop_spends_nothing_on_the_full_model_and_the_screen_still_admits() -> None:
    """Under overload the full model's checks of shed candidates were most of the load (docs/performance.md)."""
    import time

    from bot.channels.shed import MODEL_CHECKS_PER_SECOND, Admission

    async def scenario() -> tuple[object, object, int]:
        gate = Admission(max_in_flight=100, max_wait_seconds=0.05)
        gate.busy_for()  # the ticker starts
        await asyncio.sleep(0.03)
        time.sleep(0.2)  # the loop works without a break
        other = gate.refusal("what is cbt", "o1", "127.0.0.1")
        crisis = gate.refusal("everyone would be better off if i was gone, i've got it all planned", "c1", "127.0.0.1")
        left = 0
        while left <= MODEL_CHECKS_PER_SECOND and gate.model_budget.allow("model"):
            left += 1
        return other, crisis, left

    other, crisis, left = asyncio.run(scenario())
    assert other is not None and other.status == 429  # type: ignore[attr-defined]
    assert crisis is None
    assert left == MODEL_CHECKS_PER_SECOND  # the budget is whole: the full model never ran


def test_a_loop_late_again_and_again_sheds_though_no_single_stall_is_long() -> None:
    """Each turn's work is short, but the loop never catches up: every callback waits, a crisis reply too."""
    import time

    from bot.channels.shed import Admission

    async def scenario() -> tuple[object, float]:
        gate = Admission(max_in_flight=100, max_wait_seconds=0.05)
        gate.busy_for()
        for _ in range(15):
            await asyncio.sleep(0)
            time.sleep(0.09)  # the ticker is due every 20 ms and runs about 70 ms late, over and over
        await asyncio.sleep(0.021)  # the ticker has just run: no stall is in progress now
        return gate.refusal("what is cbt", "o1", "127.0.0.1"), gate.busy_for()

    refused, stall = asyncio.run(scenario())
    assert stall < 0.05
    assert refused is not None and refused.status == 429  # type: ignore[attr-defined]


def test_a_new_event_loop_starts_without_the_old_ones_lag() -> None:
    """A server restarted in the same process: the pause between the two loops is no lag of the new one."""
    import time

    from bot.channels.shed import Admission

    gate = Admission(max_in_flight=100, max_wait_seconds=0.1)

    async def stall_then_idle() -> None:
        gate.busy_for()
        await asyncio.sleep(0.03)
        time.sleep(0.3)
        await asyncio.sleep(0.03)

    async def ask() -> object:
        return gate.refusal("what is cbt", "n1", "127.0.0.1")

    asyncio.run(stall_then_idle())
    assert gate.lag > 0
    time.sleep(0.6)  # between the two loops
    assert asyncio.run(ask()) is None and gate.lag == 0.0
