"""Property-based tests: whatever a visitor or a client sends, the code that
reads it answers or refuses; it never raises anything unexpected.

Unicode of every plane, emoji sequences, control characters, very long text
and malformed structures; the HTTP side of the same (malformed JSON, wrong
content types, 100-KB bodies) runs against the real server in
tests/e2e/test_bad_input.py.
"""

from __future__ import annotations

import functools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.storage.privacy import REDACTED_EMAIL, redact, redact_event
from bot.tenants.model import TenantError, make_tenant
from bot.understanding.context import region_from_metadata, region_from_text
from bot.understanding.crisis_data import CATEGORIES
from bot.understanding.crisis_rules import CrisisRules
from bot.understanding.windows import pieces

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text a person (or a script) might send: every character class, weighted
# towards the ones that break parsers, with crisis words mixed in.
chat_text = st.one_of(
    st.text(max_size=400),
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zs", "So", "Sk", "Mn"]), max_size=200),
    st.lists(
        st.sampled_from(["i", "want", "to", "die", "kill", "myself", "not", "🙂", "💀", "\u200d", "\x00", "\n", "k1ll", "lol", "cut"]),
        max_size=60,
    ).map(" ".join),
)


@functools.lru_cache(maxsize=1)
def rules() -> CrisisRules:
    return CrisisRules.load()


@FUZZ
@given(chat_text)
def test_the_crisis_rules_give_a_verdict_for_any_text(text: str) -> None:
    hit = rules().match(text)
    assert hit is None or hit.category in CATEGORIES
    assert rules().language(text, hit) in ("en", "es")


@pytest.mark.parametrize("size", [100_000, 250_000])
def test_very_long_messages_are_read_in_windows_to_the_end(size: int) -> None:
    filler = ("what does a first therapy session look like. " * (size // 45))[:size]
    windows = pieces(filler[:90_000] + " and honestly I want to kill myself", 600)
    assert all(len(w) <= 600 for w in windows)
    assert rules().match(windows[-1]) is not None  # the crisis at the very end is in a window of its own
    assert not any(rules().match(w) for w in windows[:-1])


@FUZZ
@given(chat_text, st.emails())
def test_redaction_removes_an_address_anywhere(text: str, email: str) -> None:
    out = redact(f"{text} {email} {text}")
    assert email not in out and REDACTED_EMAIL in out


@FUZZ
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=30),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
                    max_leaves=12))
def test_malformed_events_and_metadata_are_tolerated(value) -> None:
    redact_event({"event": "user", "text": value, "parse_data": value if isinstance(value, dict) else {"entities": []}})
    region = region_from_metadata(value)
    assert region is None or (len(region) == 2 and region.isupper())
    if isinstance(value, dict):
        region_from_metadata({"region": value, "locale": value})


@FUZZ
@given(chat_text)
def test_region_from_any_text(text: str) -> None:
    region = region_from_text(text)
    assert region is None or len(region) == 2


@FUZZ
@given(st.text(max_size=80), st.text(max_size=80), st.text(max_size=40),
       st.lists(st.text(max_size=60), max_size=3),
       st.lists(st.dictionaries(st.sampled_from(["name", "phone", "url", "hours", "other"]), st.text(max_size=30)), max_size=2))
def test_tenant_fields_are_accepted_or_refused_by_name(slug, name, phone, origins, resources) -> None:
    try:
        tenant = make_tenant(slug, name, phone, allowed_origins=origins, extra_resources=resources)
    except TenantError as exc:
        assert str(exc)
    else:
        assert tenant.slug and tenant.eap_line()


@FUZZ
@given(st.one_of(st.text(max_size=300), st.binary(max_size=300).map(lambda b: b.decode("latin-1"))))
def test_any_token_is_refused_with_a_reason(token: str) -> None:
    from bot.tenants.tokens import TokenError, verify_token

    with pytest.raises(TokenError) as err:
        verify_token(token, secret="k" * 40)
    assert err.value.code in {"invalid", "expired", "unknown_tenant"} and err.value.message
