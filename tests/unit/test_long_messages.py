"""Over-long messages: the rules on the event loop, the crisis model on a thread of its own, nothing missed."""

from __future__ import annotations

import asyncio
import threading
from typing import List, Optional

import pytest

from bot.channels.limits import screen_off_loop
from bot.core import wiring
from bot.understanding.crisis_component import CrisisModel
from bot.understanding.crisis_data import TRAIN_DIR, load
from bot.understanding.crisis_model import CrisisClassifier, CrisisScreen, ModelOptions
from bot.understanding.long_messages import MAX_WAITING, LongReader, reader, ruled_piece
from bot.understanding.windows import pieces

WEEK = "My week was long and work was stressful again, and the commute did not help. "
# Only the model can find this one: no explicit-statement rule matches it.
QUIET = "Everyone would be better off without me, I have written the letters and given the dog to my sister."
EXPLICIT = "Honestly I want to kill myself."


class RecordingModel(CrisisModel):
    """The real crisis model, noting which thread read each long message."""

    threads: List[str]

    def most_concerning(self, texts: List[str]) -> Optional[str]:
        self.threads.append(threading.current_thread().name)
        return super().most_concerning(texts)


def model(classifier: CrisisClassifier) -> RecordingModel:
    from tests.unit.test_crisis_component import CHECK_IN_AT, HANDOFF_AT

    found = RecordingModel({"handoff_threshold": HANDOFF_AT, "check_in_threshold": CHECK_IN_AT},
                           None, None, classifier)  # type: ignore[arg-type]
    found.threads = []
    return found


def story(signal: str, before: int = 60, after: int = 20) -> str:
    return WEEK * before + signal + " " + WEEK * after


async def test_the_rules_read_every_piece_and_take_the_first_they_match() -> None:
    chunks = pieces(story(EXPLICIT), 2000)
    assert len(chunks) >= 3
    found = ruled_piece(chunks)
    assert found is not None and "kill myself" in found
    assert ruled_piece(pieces(WEEK * 80, 2000)) is None
    # Without a loaded model the rules alone still find an explicit statement.
    with wiring.override("crisis_model", None):
        assert await screen_off_loop(story(EXPLICIT), 2000) == (found, None)


async def test_a_crisis_only_the_model_finds_is_read_off_the_event_loop(classifier: CrisisClassifier) -> None:
    reading = model(classifier)
    with wiring.override("crisis_model", reading):
        task = asyncio.ensure_future(screen_off_loop(story(QUIET), 2000))
        # The loop goes on while the model reads: on the loop, the read would finish before the first sleep.
        turns = 0
        while not task.done():
            await asyncio.sleep(0.005)
            turns += 1
        text, reply = task.result()
    assert reply is None and text is not None and "better off without me" in text and len(text) <= 2000
    assert turns >= 2
    assert reading.threads and all(name.startswith("long-read") for name in reading.threads)
    assert threading.current_thread().name not in reading.threads


def closed_reader(max_waiting: int = MAX_WAITING) -> LongReader:
    """A reader whose thread is gone: any long read handed to it raises."""
    found = LongReader(max_waiting)
    found.executor.shutdown()
    return found


async def test_an_explicit_statement_does_not_wait_for_the_long_message_thread(classifier: CrisisClassifier) -> None:
    reading = model(classifier)
    with wiring.override("crisis_model", reading), wiring.override("long_message_reader", closed_reader()):
        text, reply = await screen_off_loop(story(EXPLICIT), 2000)
    assert reply is None and text is not None and "kill myself" in text
    assert reading.threads == []


async def test_a_long_message_with_no_crisis_gets_the_shorter_message_reply(classifier: CrisisClassifier) -> None:
    with wiring.override("crisis_model", model(classifier)):
        text, reply = await screen_off_loop("Tell me about therapy please. " * 200, 2000)
        short = await screen_off_loop("what is cbt?", 2000)
    assert text is None and reply is not None and "2,000 characters" in reply
    assert short == ("what is cbt?", None)


def test_one_thread_per_process_reads_long_messages() -> None:
    first = reader()
    assert first is reader() and first.executor._max_workers == 1  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def ngram_screen() -> CrisisScreen:
    """The n-gram screen fitted on every third training message (no sentence encoder)."""
    examples = load(TRAIN_DIR)[::3]
    return CrisisScreen(ModelOptions(c=8.0, embedding=False)).fit([e.text for e in examples], None,
                                                                 [e.category for e in examples])


async def test_behind_a_burst_of_pastes_the_screen_reads_the_next_alone(ngram_screen: CrisisScreen) -> None:
    with_screen = CrisisModel({"screen_threshold": 0.3}, None, None, None, ngram_screen)  # type: ignore[arg-type]
    busy = closed_reader(max_waiting=0)  # as if the thread had a queue already: the thread is not asked
    burden = "I am just a burden to everyone and I have decided tonight is the night I end it all."
    with wiring.override("crisis_model", with_screen), wiring.override("long_message_reader", busy):
        text, reply = await screen_off_loop(story(burden), 2000)
        assert reply is None and text is not None and "burden" in text
        text, reply = await screen_off_loop("Tell me about therapy please. " * 200, 2000)
        assert text is None and reply is not None and "shorter message" in reply
    assert busy.waiting == 0


async def test_the_waiting_count_comes_back_down_after_each_read(classifier: CrisisClassifier) -> None:
    counting = LongReader()
    with wiring.override("crisis_model", model(classifier)), wiring.override("long_message_reader", counting):
        results = await asyncio.gather(*(screen_off_loop(story(QUIET, before=30, after=5), 2000) for _ in range(3)))
    assert all(reply is None and text is not None and "better off" in text for text, reply in results)
    assert counting.waiting == 0


def test_a_sentence_said_over_and_over_is_read_once() -> None:
    from bot.understanding.windows import without_repeats

    assert without_repeats("thanks. " * 20).strip() == "thanks."
    assert without_repeats("What is CBT?  what is cbt? WHAT IS CBT?\nok") == "What is CBT? ok"
    # Repeats that are not in a row, and text with none, come back as they were.
    for text in ("hi. how much is it? hi.", "I want to die. I really do. I want to die.", WEEK * 1 + QUIET):
        assert without_repeats(text) == text


def test_a_repeated_question_reads_as_the_question_and_a_repeated_crisis_as_the_crisis(
        classifier: CrisisClassifier) -> None:
    model = CrisisModel({}, None, None, classifier)  # type: ignore[arg-type]
    once, many = model.assess("how much does therapy cost?"), model.assess("how much does therapy cost? " * 300)
    assert (many.zone, round(many.risk, 4)) == (once.zone, round(once.risk, 4))
    assert model.assess((EXPLICIT + " ") * 50).zone == model.assess(EXPLICIT).zone == "handoff"
