"""The hot-path fixes in bot.runtime.patches compute exactly what stock Rasa computes, on the trained model."""

from __future__ import annotations

import pytest
import yaml
from rasa.core.channels.channel import UserMessage
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.runtime.patches import SequentialGraphRunner
from tests.e2e.conftest import ROOT

pytestmark = pytest.mark.e2e


def _texts(limit: int) -> list[str]:
    data = yaml.safe_load((ROOT / "tests" / "faq" / "dev" / "holdout.yml").read_text(encoding="utf-8"))
    texts = [
        line.strip()[2:].strip()
        for block in data["nlu"]
        for line in block["examples"].splitlines()
        if line.strip().startswith("- ")
    ]
    return [*texts[:limit], "hi", "thanks", "/faq/cbt", "I want to end my life", "asdkjh qwe", ""]


def test_the_server_runs_the_sequential_runner(agent) -> None:
    assert isinstance(agent.processor.graph_runner, SequentialGraphRunner)


def test_sequential_and_dask_runs_give_the_same_parse_and_predictions(agent) -> None:
    runner = agent.processor.graph_runner
    domain = agent.domain
    nlu_target = agent.processor.model_metadata.nlu_target
    core_target = agent.processor.model_metadata.core_target
    compared = 0
    for text in _texts(60):
        inputs = {"__message__": [UserMessage(text, sender_id="x")], "__tracker__": DialogueStateTracker("x", domain.slots)}
        ours = runner.run(inputs=inputs, targets=[nlu_target])[nlu_target]
        stock = DaskGraphRunner.run(runner, inputs=inputs, targets=[nlu_target])[nlu_target]
        assert [m.as_dict(only_output_properties=True) for m in ours] == [
            m.as_dict(only_output_properties=True) for m in stock
        ], text
        parse = ours[0].as_dict()
        tracker = DialogueStateTracker.from_events(
            "x",
            [ActionExecuted("action_listen"),
             UserUttered(text, parse.get("intent"), parse.get("entities", []), parse_data=parse)],
            domain.slots,
        )
        ours_p = runner.run(inputs={"__tracker__": tracker}, targets=[core_target])[core_target]
        stock_p = DaskGraphRunner.run(runner, inputs={"__tracker__": tracker}, targets=[core_target])[core_target]
        assert (ours_p.policy_name, ours_p.max_confidence, list(ours_p.probabilities)) == (
            stock_p.policy_name, stock_p.max_confidence, list(stock_p.probabilities)
        ), text
        compared += 1
    assert compared >= 60


def test_a_follow_up_answer_from_the_action_server_is_still_validated() -> None:
    from jsonschema import ValidationError
    from rasa.core.actions.action import RemoteAction

    action = RemoteAction("action_x", None)
    assert action._validate_action_result({"events": [], "responses": [{"text": "ok"}]})
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result({"events": "not a list"})


