"""The crisis model in the NLU pipeline, on real Rasa messages and a model really trained on project data."""

from __future__ import annotations

from typing import Any, Optional

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message

from bot.understanding.crisis_component import CONTEXT_KEY, CrisisModel
from bot.understanding.crisis_model import ZONE_RANK, CrisisClassifier
from bot.understanding.encoder import get_encoder
from bot.understanding.memory import context_from_tracker

NEVER = 1.01  # a threshold no probability reaches


def product_thresholds() -> tuple[float, float]:
    """The thresholds config.yml sets for the trained model."""
    import yaml

    from bot.understanding.crisis_data import ROOT

    node = next(c for c in yaml.safe_load((ROOT / "config.yml").read_text())["pipeline"] if c["name"].endswith("CrisisModel"))
    return node["handoff_threshold"], node["check_in_threshold"]


HANDOFF_AT, CHECK_IN_AT = product_thresholds()


def component(
    classifier: CrisisClassifier, handoff: float = HANDOFF_AT, check_in: float = CHECK_IN_AT, **config: Any
) -> CrisisModel:
    config.update(handoff_threshold=handoff, check_in_threshold=check_in)
    return CrisisModel(config, None, None, classifier)  # type: ignore[arg-type]


def message(text: str, intent: str = "faq", confidence: float = 0.9, ranking: Optional[list] = None,
            context: Any = None) -> Message:
    data: dict[str, Any] = {"text": text, "intent": {"name": intent, "confidence": confidence},
                            "intent_ranking": ranking or [{"name": intent, "confidence": confidence}]}
    if context is not None:
        data["metadata"] = {CONTEXT_KEY: context}
    return Message(data=data)


def entity(m: Message, name: str) -> Optional[str]:
    return next((e["value"] for e in m.get("entities") or [] if e["entity"] == name), None)


def test_a_clear_crisis_is_handed_off_with_its_category(classifier: CrisisClassifier) -> None:
    m = message("i swallowed the whole bottle of my pills an hour ago and feel weird")
    component(classifier).process([m])
    assert m.get("intent")["name"] == "crisis"
    assert m.get("crisis")["zone"] == "handoff" and entity(m, "crisis_category") == "attempt"
    assert "text" not in m.get("crisis")  # the verdict stored in the tracker carries no message text


def test_an_everyday_question_passes_untouched(classifier: CrisisClassifier) -> None:
    m = message("what's the difference between cbt and dbt?", "faq", 0.95)
    component(classifier).process([m])
    assert m.get("intent")["name"] == "faq" and m.get("crisis")["zone"] == "none"
    assert entity(m, "crisis_category") is None


def test_an_explicit_statement_is_handed_off_whatever_the_model_says(classifier: CrisisClassifier) -> None:
    m = message("honestly i want to kill myself", "faq", 0.99)
    component(classifier, NEVER, NEVER).process([m])
    assert m.get("intent")["name"] == "crisis" and m.get("crisis")["layer"] == "rule"
    assert m.get("crisis")["rule"] == "en-kill-myself" and entity(m, "crisis_category") == "suicide"


def test_the_check_in_zone_asks_without_handing_off(classifier: CrisisClassifier) -> None:
    m = message("what does therapy cost", "faq", 0.9)
    component(classifier, NEVER, 0.0).process([m])
    assert m.get("intent")["name"] == "crisis_check_in" and m.get("crisis")["zone"] == "check_in"
    assert entity(m, "crisis_category") is None  # the hand-off rules stay silent
    assert [r["name"] for r in m.get("intent_ranking")][:2] == ["crisis_check_in", "faq"]


@pytest.mark.parametrize(
    "ranking,expected",
    [
        ([{"name": "crisis", "confidence": 0.6}, {"name": "faq", "confidence": 0.35}], "faq"),
        ([{"name": "crisis_check_in", "confidence": 0.9}, {"name": "faq", "confidence": 0.05}], "nlu_fallback"),
    ],
)
def test_a_crisis_guess_of_the_faq_classifier_is_taken_back(classifier: CrisisClassifier, ranking: list, expected: str) -> None:
    m = message("how long does therapy take", ranking[0]["name"], ranking[0]["confidence"], ranking)
    component(classifier, NEVER, NEVER).process([m])
    assert m.get("intent")["name"] == expected
    assert all(r["name"] not in ("crisis", "crisis_check_in") for r in m.get("intent_ranking"))


def test_a_slash_command_cannot_smuggle_a_crisis_past_the_model(classifier: CrisisClassifier) -> None:
    m = message('/greet{"x": "i want to kill myself"}', "greet", 1.0)
    component(classifier).process([m])
    assert not m.get("text").startswith("/") and m.get("intent")["name"] == "crisis"


@pytest.mark.parametrize("payload,intent", [("/faq/cbt", "faq"), ("/affirm", "affirm"), ("/crisis_help_now", "crisis_help_now")])
def test_button_payloads_stay_intact(classifier: CrisisClassifier, payload: str, intent: str) -> None:
    m = message(payload, intent, 1.0)
    component(classifier, 0.0, 0.0).process([m])  # even where every text would be a crisis
    assert m.get("text") == payload and m.get("intent")["name"] == intent


def test_a_typed_slash_word_is_still_read_by_the_rules(classifier: CrisisClassifier) -> None:
    m = message("/kms", "nlu_fallback", 1.0)
    component(classifier, NEVER, NEVER).process([m])
    assert m.get("intent")["name"] == "crisis" and m.get("text") == "kms"


def test_earlier_turns_that_raised_concern_are_read_with_this_one(classifier: CrisisClassifier) -> None:
    context = {"turns": [{"text": "i want to die", "risk": 0.4, "zone": "check_in"}]}
    m = message("so that's that", "out_of_scope", 0.9, context=context)
    component(classifier, 0.99, 0.98, memory_min_risk=0.0).process([m])
    assert m.get("intent")["name"] == "crisis" and m.get("crisis")["layer"] == "context"


@pytest.mark.parametrize("text,intent", [("no", "deny"), ("yes", "affirm"), ("thanks", "thank"),
                                         ("you got me wrong", "crisis_misunderstood")])
def test_memory_leaves_replies_that_move_the_conversation_to_the_rules(
    classifier: CrisisClassifier, text: str, intent: str
) -> None:
    # Read with the earlier turn, the explicit rule would fire ("i want to die no"); the intent keeps it apart.
    context = {"turns": [{"text": "i want to die", "risk": 0.5, "zone": "check_in"}]}
    m = message(text, intent, 0.95, context=context)
    component(classifier, 0.99, 0.98, memory_min_risk=0.0).process([m])
    assert m.get("intent")["name"] == intent


def test_a_goodbye_after_talk_of_being_a_burden_is_read_with_it(classifier: CrisisClassifier) -> None:
    # The intent model reads "i think i'm ready now" as a farewell; a farewell is no reply to a question.
    context = {"turns": [{"text": "i want to die", "risk": 0.5, "zone": "check_in"}]}
    m = message("anyway, i think i'm ready now", "goodbye", 0.95, context=context)
    component(classifier, 0.99, 0.98, memory_min_risk=0.0).process([m])
    assert m.get("intent")["name"] == "crisis" and m.get("crisis")["layer"] == "context"


BURDEN_TURN = {"text": "i feel like a burden to everyone", "risk": 0.7, "zone": "check_in"}


def test_a_reply_to_the_check_in_that_is_more_of_the_same_concern_is_handed_off(classifier: CrisisClassifier) -> None:
    # Every reading lands in the check-in zone; only what came before decides.
    m = message("anyway, i think i'm ready now", "goodbye", 0.9, context={"turns": [BURDEN_TURN]})
    component(classifier, NEVER, 0.0, memory_min_risk=0.0).process([m])
    assert m.get("intent")["name"] == "crisis" and m.get("crisis")["layer"] == "context"


def test_a_question_after_the_check_in_is_asked_about_again_not_handed_off(classifier: CrisisClassifier) -> None:
    m = message("how do i find a therapist for this?", "faq", 0.9, context={"turns": [BURDEN_TURN]})
    component(classifier, NEVER, 0.0, memory_min_risk=0.0).process([m])
    assert m.get("intent")["name"] == "crisis_check_in"


def test_the_check_in_counts_only_when_it_was_the_last_turn(classifier: CrisisClassifier) -> None:
    later = {"text": "what is cbt", "risk": 0.0, "zone": "none"}
    m = message("anyway, i think i'm ready now", "goodbye", 0.9, context={"turns": [BURDEN_TURN, later]})
    component(classifier, NEVER, 0.0, memory_min_risk=0.0).process([m])
    assert m.get("intent")["name"] == "crisis_check_in"


def test_after_a_hand_off_only_a_message_of_concern_is_read_with_it(classifier: CrisisClassifier) -> None:
    context = {"turns": [{"text": "i want to die", "risk": 1.0, "zone": "handoff"}]}
    calm = message("so that's that", "out_of_scope", 0.6, context=context)
    component(classifier, 0.99, 0.0, memory_min_risk=0.0).process([calm])  # every message reaches the check-in zone
    assert calm.get("intent")["name"] == "crisis" and calm.get("crisis")["layer"] == "context"
    question = message("what is dbt", "faq", 0.9, context=context)
    component(classifier, 0.99, NEVER, memory_min_risk=0.0).process([question])  # none does
    assert question.get("intent")["name"] == "faq"


def test_calm_earlier_turns_do_not_count(classifier: CrisisClassifier) -> None:
    context = {"turns": [{"text": "i want to die", "risk": 0.01, "zone": "none"}]}
    m = message("what is dbt", "faq", 0.9, context=context)
    component(classifier, 0.99, 0.98, memory_min_risk=0.05).process([m])
    assert m.get("intent")["name"] == "faq"


def test_a_question_with_no_concern_of_its_own_is_answered(classifier: CrisisClassifier) -> None:
    context = {"turns": [{"text": "i want to die", "risk": 0.5, "zone": "check_in"}]}
    m = message("what is dbt", "faq", 0.9, context=context)
    component(classifier, 0.99, 0.98, memory_min_risk=1.0).process([m])
    assert m.get("intent")["name"] == "faq"


@pytest.mark.parametrize("context", ["junk", {"turns": "x"}, {"turns": [1, {"text": 5}, {"risk": "high"}]}, [None]])
def test_a_malformed_context_is_ignored(classifier: CrisisClassifier, context: Any) -> None:
    m = message("what is act therapy", "faq", 0.9, context=context)
    component(classifier).process([m])
    assert m.get("intent")["name"] == "faq"


def test_spanish_is_answered_in_spanish(classifier: CrisisClassifier) -> None:
    m = message("ya no quiero vivir, me quiero matar", "nlu_fallback", 1.0)
    component(classifier).process([m])
    assert m.get("intent")["name"] == "crisis" and m.get("crisis")["language"] == "es"


def test_a_long_story_is_read_to_the_end(classifier: CrisisClassifier) -> None:
    story = "I have been meaning to ask about therapy for a while. " * 25 + "Anyway I took all my pills an hour ago."
    m = message(story, "faq", 0.9)
    component(classifier).process([m])
    assert m.get("crisis")["zone"] == "handoff" and entity(m, "crisis_category") == "attempt"


def test_context_comes_from_this_session_only() -> None:
    tracker = DialogueStateTracker.from_events("s", [
        UserUttered("an old session's message", parse_data={"crisis": {"risk": 0.9, "zone": "check_in"}}),
        SessionStarted(),
        ActionExecuted("action_listen"),
        UserUttered("i feel like a burden", parse_data={"crisis": {"risk": 0.45, "zone": "check_in"}}),
        ActionExecuted("utter_crisis_check_in"),
        BotUttered("..."),
        ActionExecuted("action_listen"),
    ])
    context = context_from_tracker(tracker)
    assert context == {"turns": [{"text": "i feel like a burden", "risk": 0.45, "zone": "check_in"}], "listening": False}
    assert context_from_tracker(None) == {"turns": [], "listening": False}


@pytest.mark.parametrize(
    "last_reply,expected",
    [("utter_crisis_keep_talking", True), ("utter_crisis_received", True), ("utter_crisis_followup", False),
     ("utter_faq", False)],
)
def test_the_bot_listens_after_keep_talking_only(last_reply: str, expected: bool) -> None:
    tracker = DialogueStateTracker.from_events("s", [
        SessionStarted(), ActionExecuted("action_listen"),
        UserUttered("yes", parse_data={"crisis": {"risk": 0.0, "zone": "none"}}),
        ActionExecuted(last_reply), BotUttered("..."), ActionExecuted("action_listen"),
    ])
    assert context_from_tracker(tracker)["listening"] is expected


LISTENING = {"turns": [], "listening": True}


@pytest.mark.parametrize(
    "text,intent",
    [("i just feel so alone since my mum died", "nlu_fallback"), ("my therapist never really listens to me", "faq"),
     ("ok", "affirm"), ("thanks", "thank")],
)
def test_after_keep_talking_what_the_visitor_writes_is_received(classifier: CrisisClassifier, text: str, intent: str) -> None:
    m = message(text, intent, 0.8, context=LISTENING)
    component(classifier, NEVER, NEVER).process([m])
    assert m.get("intent")["name"] == "crisis_share"
    assert [r["name"] for r in m.get("intent_ranking")][0] == "crisis_share"


@pytest.mark.parametrize(
    "text,intent",
    [("what is cbt?", "faq"), ("how do i find a therapist", "faq"), ("/crisis_help_now", "crisis_help_now"),
     ("i'm in the uk", "inform_region"), ("bye", "goodbye")],
)
def test_after_keep_talking_questions_and_requests_are_answered(classifier: CrisisClassifier, text: str, intent: str) -> None:
    m = message(text, intent, 0.9, context=LISTENING)
    component(classifier, NEVER, NEVER).process([m])
    assert m.get("intent")["name"] == intent


def test_after_keep_talking_a_crisis_is_still_handed_off(classifier: CrisisClassifier) -> None:
    m = message("honestly i want to kill myself", "faq", 0.5, context=LISTENING)
    component(classifier).process([m])
    assert m.get("intent")["name"] == "crisis" and entity(m, "crisis_category") == "suicide"


def test_without_keep_talking_nothing_is_taken_as_a_share(classifier: CrisisClassifier) -> None:
    m = message("i just feel so alone since my mum died", "nlu_fallback", 0.8, context={"turns": [], "listening": False})
    component(classifier, NEVER, NEVER).process([m])
    assert m.get("intent")["name"] == "nlu_fallback"


async def test_an_over_long_message_is_screened_by_the_loaded_model(classifier: CrisisClassifier) -> None:
    from bot.channels.limits import screen_off_loop
    from bot.core import wiring

    signal = "Everyone would be better off without me, I have written the letters and given the dog to my sister."
    assert component(classifier).assess(signal).zone == "handoff"
    assert get_rules_hit(signal) is None  # only the model can find this one
    story = "My week was long and work was stressful again. " * 120 + signal + " Anyway. " * 50
    with wiring.override("crisis_model", component(classifier)):
        text, reply = await screen_off_loop(story, 2000)
    assert reply is None and "better off without me" in text and len(text) <= 2000


def get_rules_hit(text: str):
    from bot.understanding.crisis_rules import get_rules

    return get_rules().match(text)


def test_the_fast_probabilities_equal_scikit_learns(classifier: CrisisClassifier) -> None:
    texts = ["i want to die", "what is cbt", "me quiero morir", "", "my barber cut my ear lol " * 20]
    vectors = get_encoder().encode(texts)
    fast, reference = classifier.predict_proba(texts, vectors), classifier.predict_proba_reference(texts, vectors)
    assert abs(fast - reference).max() < 1e-9 and abs(fast.sum(axis=1) - 1).max() < 1e-9


# --- a longer message read sentence by sentence ------------------------------------------------

BURIED = ("work has been really busy lately and my manager keeps moving deadlines. "
          "the commute is long and i barely see my friends anymore. "
          "honestly i don't see the point of being here anymore. "
          "anyway, how do i find a therapist who works evenings?")


def test_sentences_are_split_on_stops_and_lines_and_short_ones_dropped() -> None:
    from bot.understanding.windows import sentences

    assert sentences("hi. i am so tired of all this\nnobody would even notice if i left!  ok") == [
        "i am so tired of all this", "nobody would even notice if i left!"]
    assert len(sentences("one two three. " * 100)) == 40


def test_a_sentence_asks_but_never_hands_off_unless_it_names_an_attempt_or_a_danger() -> None:
    from bot.understanding.crisis_model import Thresholds

    t = Thresholds(0.8, 0.4, 0.5, 0.6)
    assert t.sentence_zone(0.99, "suicide", 0.9) == "check_in"
    assert t.sentence_zone(0.7, "attempt", 0.6) == "handoff"
    assert t.sentence_zone(0.5, "suicide", 0.5) == "none"
    assert Thresholds(0.8, 0.4).sentence_zone(0.99, "suicide", 0.99) == "none"  # off by default


def test_one_concerning_sentence_in_a_long_post_brings_the_check_in(classifier: CrisisClassifier) -> None:
    whole = component(classifier).assess(BURIED)
    assert whole.sentence is None  # sentences are not read while the threshold is off
    read = component(classifier, sentence_check_in_threshold=0.3).assess(BURIED)
    assert read.sentence is not None and read.sentence[0] >= 0.3
    assert read.zone in ("check_in", "handoff") and ZONE_RANK[read.zone] >= ZONE_RANK[whole.zone]
    if ZONE_RANK[read.zone] > ZONE_RANK[whole.zone]:
        assert read.layer == "sentence" and read.as_output()["sentence"][1] == read.category
    # A sentence that never reaches its threshold changes nothing.
    assert component(classifier, sentence_check_in_threshold=1.0).assess(BURIED).zone == whole.zone


def test_the_evaluation_places_a_sentence_raised_message_by_the_whole_messages_risk(classifier: CrisisClassifier) -> None:
    """Under its own thresholds, the evaluation's zone of a scored message is the zone the server gave it."""
    from bot.evaluation.crisis import score, zone_under
    from bot.evaluation.quick_crisis import QuickAgent
    from bot.understanding.crisis_data import Example

    whole = component(classifier, NEVER, NEVER).assess(BURIED)
    worst = component(classifier, NEVER, NEVER, sentence_check_in_threshold=0.0).assess(BURIED).sentence
    assert worst is not None and worst[0] > whole.risk  # the buried sentence is read as more concerning
    between = (worst[0] + whole.risk) / 2  # the whole message below both zones, the sentence above them
    model = component(classifier, between, between, sentence_check_in_threshold=0.0)
    read = model.assess(BURIED)
    assert read.layer == "sentence" and read.as_output()["message_risk"] == round(whole.risk, 4)
    [row] = score(QuickAgent(model), [Example(BURIED, "suicide", "passive", "f")])
    assert zone_under(row, model.thresholds) == row.zone == read.zone


class _CountingEncoder:
    """The real encoder, remembering which texts it was asked to encode."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.real = get_encoder()

    def encode(self, texts: Any, batch_size: int = 64) -> Any:
        self.asked += list(texts)
        return self.real.encode(texts, batch_size)


def test_training_reuses_the_featurizers_vectors_and_encodes_only_the_rest() -> None:
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from bot.core import wiring
    from bot.understanding.featurizer import SentenceEncoderFeaturizer

    faq = [Message(data={"text": t, "intent": "faq/cost"}) for t in ("how much is therapy", "is cbt covered")]
    SentenceEncoderFeaturizer({}, "featurizer", encoder=get_encoder()).process_training_data(TrainingData(faq))
    texts = ["how much is therapy", "i want to end my life", "is cbt covered", "i want to end my life"]
    counting = _CountingEncoder()
    with wiring.override("encoder", counting):
        vectors = CrisisModel._vectors(texts, TrainingData(faq))
    assert counting.asked == ["i want to end my life"]  # once, and never the lines the featurizer encoded
    assert vectors.shape == (4, get_encoder().encode(["x"]).shape[1])
    assert abs(vectors - get_encoder().encode(texts)).max() < 1e-5
