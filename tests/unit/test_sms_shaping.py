"""SMS shaping: replies split under the SMS limit without cutting a helpline, numbered options, the crisis reply first and whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.channels import sms

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "platforms"
CRISIS_GB = (
    "I'm really sorry you're feeling this way, and I'm glad you told me. You don't have to carry this alone. "
    "You can talk to someone right now:\n"
    "- Samaritans — call 116 123 (24/7)\n"
    "- Shout — text SHOUT to 85258 (24/7)\n"
    "If you might act on these thoughts or you're in danger now, call 999."
)
CBT_BUTTONS = [
    {"title": "DBT", "payload": "/faq/dbt"},
    {"title": "Homework", "payload": "/faq/homework"},
    {"title": "Types of therapy", "payload": "/faq/therapy_types_overview"},
]


def words(text: str) -> list[str]:
    return text.split()


# --- splitting --------------------------------------------------------------------------------


def test_short_text_is_one_piece_and_empty_text_none() -> None:
    assert sms.split_text("  What is CBT?  ", 160) == ["What is CBT?"]
    assert sms.split_text(" \n ", 160) == []


def test_paragraphs_are_packed_into_as_few_pieces_as_fit() -> None:
    paragraphs = [f"Paragraph {i}. " + "word " * 30 for i in range(6)]  # ~165 characters each
    pieces = sms.split_text("\n\n".join(paragraphs), 400)
    assert all(len(p) <= 400 for p in pieces)
    assert len(pieces) == 3  # two paragraphs fit in 400, three do not
    assert all(p.startswith("Paragraph") for p in pieces)  # cut only between paragraphs
    assert words(" ".join(pieces)) == words(" ".join(paragraphs))


def test_a_helpline_line_is_never_cut_when_the_lines_fit() -> None:
    pieces = sms.split_text(CRISIS_GB, 160)
    assert all(len(p) <= 160 for p in pieces)
    for line in CRISIS_GB.splitlines():  # each line whole, in one piece
        assert any(line in p.splitlines() for p in pieces), line
    assert words(" ".join(pieces)) == words(CRISIS_GB)


def test_a_long_paragraph_is_cut_between_sentences_then_words() -> None:
    text = " ".join(f"Sentence number {i} says something useful about therapy." for i in range(40))
    pieces = sms.split_text(text, 300)
    assert all(len(p) <= 300 for p in pieces)
    assert all(p.endswith(".") for p in pieces)
    assert words(" ".join(pieces)) == words(text)
    giant = "x" * 250
    assert sms.split_text(f"see {giant} now", 100) == ["see", "x" * 100, "x" * 100, "x" * 50 + " now"]


# --- options -----------------------------------------------------------------------------------


def test_options_are_numbered_in_one_line() -> None:
    assert sms.options_line(CBT_BUTTONS) == "Reply 1 for DBT, 2 for Homework or 3 for Types of therapy."
    assert sms.options_line(CBT_BUTTONS[:1]) == "Reply 1 for DBT."
    assert sms.options_line([]) == ""


def test_turn_options_keep_order_drop_repeats_and_junk() -> None:
    messages = [
        {"text": "a", "buttons": CBT_BUTTONS[:2]},
        {"text": "b", "buttons": [CBT_BUTTONS[1], {"title": "", "payload": "/x"}, {"title": "No payload"}, "junk"]},
        {"text": "c", "quick_replies": [CBT_BUTTONS[2]]},
    ]
    assert [o["payload"] for o in sms.turn_options(messages)] == ["/faq/dbt", "/faq/homework", "/faq/therapy_types_overview"]
    many = [{"title": f"T{i}", "payload": f"/p{i}"} for i in range(12)]
    assert len(sms.turn_options([{"buttons": many}])) == sms.MAX_OPTIONS


@pytest.mark.parametrize(
    ("reply", "payload"),
    [("2", "/faq/homework"), (" 2. ", "/faq/homework"), ("#3", "/faq/therapy_types_overview"), ("option 1", "/faq/dbt"),
     ("4", None), ("0", None), ("2 please", None), ("two", None), ("", None), ("12", None)],
)
def test_a_number_picks_an_option(reply: str, payload: str | None) -> None:
    assert sms.pick_option(reply, CBT_BUTTONS) == payload


def test_only_number_replies_trigger_an_options_look_up() -> None:
    assert all(sms.is_option_reply(r) for r in ("2", "#2", "option 2", " 12 ", "No. 3"))
    assert not any(sms.is_option_reply(r) for r in ("i am 2 sad", "2 please", "988", "", None))


def test_options_are_read_back_from_the_last_bot_turn() -> None:
    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

    events = [
        UserUttered("what is dbt"),
        BotUttered("DBT is ...", {"buttons": [{"title": "Old", "payload": "/faq/old"}]}),
        UserUttered("what is cbt"),
        ActionExecuted("utter_faq"),
        BotUttered("CBT is ...", {"buttons": CBT_BUTTONS}),
        ActionExecuted("action_listen"),
    ]
    assert sms.last_turn_options(events) == CBT_BUTTONS
    assert sms.last_turn_options([*events, UserUttered("thanks")]) == []
    assert sms.pick_option("1", sms.last_turn_options(events)) == "/faq/dbt"


# --- composing a turn for SMS -------------------------------------------------------------------


def test_sms_turn_puts_the_crisis_reply_first_whole_and_options_last() -> None:
    faq = {"text": "**CBT** helps. See [the NHS page](https://www.nhs.uk/cbt).", "buttons": CBT_BUTTONS, "utter_action": "utter_faq/cbt"}
    crisis = {"text": CRISIS_GB, "buttons": [], "utter_action": "utter_crisis_suicide"}
    bodies = sms.sms_bodies([faq, crisis])
    assert len(bodies) == 2
    assert bodies[0] == sms.gsm_friendly(CRISIS_GB)
    assert "—" not in bodies[0] and "- Samaritans - call 116 123 (24/7)" in bodies[0]
    assert bodies[1] == (
        "CBT helps. See the NHS page (https://www.nhs.uk/cbt).\n\n"
        "Reply 1 for DBT, 2 for Homework or 3 for Types of therapy."
    )


def test_a_long_sms_turn_is_split_under_the_limit_with_options_at_the_end() -> None:
    long_answer = "\n\n".join("Therapy takes time and practice. " * 12 for _ in range(6))
    bodies = sms.sms_bodies([{"text": long_answer, "buttons": CBT_BUTTONS}], limit=sms.SMS_MAX_CHARS)
    assert len(bodies) >= 2 and all(len(b) <= sms.SMS_MAX_CHARS for b in bodies)
    assert bodies[-1].endswith("Reply 1 for DBT, 2 for Homework or 3 for Types of therapy.")
    assert sum("Reply 1 for" in b for b in bodies) == 1


def test_plain_text_keeps_numbers_and_drops_markdown() -> None:
    assert sms.plain_text("call [988](tel:988) or **text** [741741](sms:741741)") == "call 988 or text 741741"
    assert sms.plain_text("[https://x.org](https://x.org)") == "https://x.org"
