"""Rule-based crisis detector on the project's spaCy pipeline.

``detect(text)`` returns a :class:`Detection` (category, rule id, explicit) or
``None``. It is built for recall: a missed crisis is far worse than an unneeded
resource list, so ambiguous phrasings are flagged as non-explicit rather than
dropped. Figurative language, informational questions, denials and clearly
resolved history are filtered out deliberately.

How a message is processed:

1. ``normalise`` lower-cases, fixes apostrophes, separates emoji (mapping a
   few to words), undoes leetspeak, spelled-out letters and stretched letters
   ("dieeee"), and applies the misspelling/text-speak tables from ``patterns``.
2. A set lookup of the message's words against the anchor vocabulary (every
   pattern has one rare required word, its anchor) rejects most messages in
   microseconds.
3. The text is tokenised with ``nlp.make_doc``; in one array pass every token
   gets its lemma from the pipeline lemmatizer's lookup table (plus a few
   corrections) and its word class in NORM and group in TAG, so that patterns
   are plain equality tests (fast in the Matcher).
4. Only the matchers whose anchor (and all other required words) occur are
   run, on short spans around the anchor. Each match is then checked for
   negation, figurative guards, whose safety is at stake, informational or
   media context and resolved history; the highest-priority category wins.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass
from typing import AbstractSet, Iterable, Optional

import numpy
import spacy
from spacy.attrs import LEMMA, LOWER, NORM, TAG
from spacy.matcher import Matcher

from bot.crisis import patterns as P

CATEGORIES = (
    "suicide",
    "self_harm",
    "attempt",
    "immediate_danger",
    "harm_to_others",
    "abuse",
    "child_abuse",
    "third_party",
)

# When several categories fire, the first in this order wins.
PRIORITY = (
    "attempt",
    "immediate_danger",
    "child_abuse",
    "abuse",
    "harm_to_others",
    "suicide",
    "self_harm",
    "third_party",
)
_RANK = {c: i for i, c in enumerate(PRIORITY)}
_SELF_RISK = frozenset({"suicide", "self_harm", "attempt"})


@dataclass(frozen=True)
class Detection:
    category: str  # one of CATEGORIES
    rule: str  # id of the pattern family that decided it (never message text)
    explicit: bool  # True for a plain, unmistakable statement


@dataclass(frozen=True)
class Assessment:
    detection: Optional[Detection]
    ruled_out: bool  # crisis wording matched, and every match was judged not a crisis


# ---------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------

_APOS_RE = re.compile(r"[\u2018\u2019\u02bc\u0060\u00b4\u2032]")
_QUOTE_RE = re.compile(r"[\u201c\u201d\u00ab\u00bb]")
_EMOJI_RE = re.compile(
    "[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2300-\u23FF]"
    "[\uFE0F\u200D\U0001F3FB-\U0001F3FF]*"
)
_INVISIBLE_RE = re.compile("[\uFE0F\u200D\u200B\u200C\u2060]")
_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "@": "a", "$": "s", "!": "i"}
_LEET_RE = re.compile(r"(?<=[a-z])[01345@$!](?=[a-z])")
_STAR_RE = re.compile(r"(?<=[a-z])[*#]+(?=[a-z])")
_STRETCH_RE = re.compile(r"([a-z])\1{2,}")
_QUOTED_RE = re.compile("(?:^|[\\s(:])[\"'\u201c\u2018]([^\"\u201d\u2019]{3,80}?)[\"'\u201d\u2019](?=[\\s.,!?;:)]|$)")
# three or more capitalised words in a row ("I Want to Die but I Want to Eat ...")
_TITLE_RE = re.compile(r"(?:\b[A-Z][a-z']*\b(?:\s+(?:to|a|an|the|of|and|but|in|on|for|my|is)\b)*\s+){2,}[A-Z][a-z']*\b")
_NON_ALNUM = {c: " " for c in range(128) if not chr(c).isalnum()}
_SPACES_RE = re.compile(r"[ \t\u00a0]{2,}|[\t\u00a0]")
_DOUBLE_RE = re.compile(r"([a-z])\1")
_PHRASE_FIXES = [(needle, re.compile(rx), rep) for needle, rx, rep in P.PHRASE_FIXES]
_PRE_FIXES = [(needle, re.compile(rx), rep) for needle, rx, rep in P.PRE_FIXES]
_SPLIT_RE = re.compile(r"([a-z0-9']+)")
_SPELL_SEPS = frozenset({" ", ".", "-", ". ", " - ", " . ", "_"})

_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100, "dozen": 12, "a": 1, "an": 1,
}

# Word frequency tiers, used to pick each pattern's anchor (its rarest
# required word) and to keep stretched-letter repair away from everyday words.
_VERY_COMMON = frozenset("""
i me my you he she it we they him her them us the a an to of in on at for with about and or
but so if be is am are was were been being have has had do does did not no can will would
could should just this that what how all like up out off your his their our its into than
then these those there here go going get got know think want really very now
""".split())
_COMMON = _VERY_COMMON | frozenset("""
never why when who might may say tell make take see time more much many lot way thing people
life day good bad well still even also too again anymore right last night today tonight
because from by as over let put keep need try come give find feel sure long longer
""".split())


def _stretch_variants(word: str) -> Iterable[str]:
    """Forms of ``word`` with any doubled letter reduced to one ("diee" -> "die")."""
    runs = [m.start() for m in _DOUBLE_RE.finditer(word)]
    if not runs or len(runs) > 4:
        return ()
    out = []
    for mask in itertools.product((0, 1), repeat=len(runs)):
        if not any(mask):
            continue
        chars = list(word)
        for drop, pos in zip(mask, runs, strict=True):
            if drop:
                chars[pos] = ""
        out.append("".join(chars))
    return out


# ---------------------------------------------------------------------------
# Template compilation
# ---------------------------------------------------------------------------

_WILD = {"IS_PUNCT": False, "IS_SPACE": False, "OP": "?"}


def _atom(atom: str) -> dict:
    if atom.startswith("@"):
        if atom not in P.CLASSES and atom not in P.SURFACE_CLASSES:
            raise ValueError(f"unknown class {atom}")
        return {"NORM": atom}
    if atom.startswith("%"):
        return {"TAG": atom[1:]}
    if atom.startswith("="):
        return {"LOWER": atom[1:]}
    if atom == "#num":
        return {"LIKE_NUM": True}
    if atom == "_":
        return {}
    return {"LEMMA": atom}


def _expand(template: str) -> list[list[dict]]:
    """Turn one template into the list of spaCy token patterns it stands for."""
    slots: list[list[list[dict]]] = []
    for item in template.split():
        if item.startswith("~"):
            slots.append([[dict(_WILD) for _ in range(int(item[1:]))]])
            continue
        optional = len(item) > 1 and item.endswith("?")
        if optional:
            item = item[:-1]
        alts = [[_atom(a) for a in alt.split("+")] for alt in item.split("|")]
        if optional:
            if all(len(alt) == 1 for alt in alts):
                for alt in alts:
                    alt[0]["OP"] = "?"
            else:
                alts.append([])
        slots.append(alts)
    out = []
    for combo in itertools.product(*slots):
        out.append([dict(spec) for part in combo for spec in part])
    return out


@dataclass
class _Family:
    id: str
    cat: str
    kind: str
    explicit: bool
    end: bool
    first_only: bool
    needs_subject: bool
    unless: frozenset
    unless_prev: frozenset
    subj: str
    flags: frozenset
    needs: frozenset
    third_only: bool


def _family(d: dict) -> _Family:
    flags = frozenset(k for k in ("touch", "control", "future", "fear", "confine", "secret") if d.get(k))
    return _Family(
        id=d["id"], cat=d.get("cat", ""), kind=d.get("kind", "fixed"),
        explicit=bool(d.get("explicit")), end=bool(d.get("end")),
        first_only=bool(d.get("first_only")), needs_subject=bool(d.get("needs_subject")),
        unless=frozenset(d.get("unless", ())), unless_prev=frozenset(d.get("unless_prev", ())),
        subj=d.get("subj", "subject"), flags=flags, needs=frozenset(d.get("needs", ())),
        third_only=bool(d.get("third_only")),
    )


@dataclass
class _Hit:
    fam: _Family
    start: int
    end: int
    has_neg: bool


class CrisisDetector:
    """Compiles the pattern tables once; ``detect`` is then cheap.

    ``validate=True`` makes spaCy's Matcher check every pattern against its
    schema as it is added. That check costs several seconds over the ~9,600
    patterns, on every cold start, and its outcome only changes when
    ``patterns`` or the template compiler does, so the server builds without
    it and the unit tests (tests/unit/test_crisis_build.py) build with it.

    ``cache=False`` computes each lemma's surface forms afresh for every
    pattern, scanning ``LEMMA_FIX`` each time: the straightforward build,
    which the unit tests and ``bench/startup.py`` compare the fast one with.
    """

    def __init__(self, nlp: spacy.language.Language, *, validate: bool = False, cache: bool = True) -> None:
        self.nlp = nlp
        self._validate = validate
        self._cache = cache
        lemmatizer = nlp.get_pipe("lemmatizer") if "lemmatizer" in nlp.pipe_names else None
        # The lemmatizer component is in lookup mode. Its table is read directly
        # in one array pass (the component's own per-token loop costs about a
        # microsecond a token, too much for 2,000-character messages); the
        # lemmas are the same.
        self._table = lemmatizer.lookups.get_table("lemma_lookup") if lemmatizer else {}
        self._lem_class: dict[str, tuple[str, Optional[str]]] = {}
        for name, (group, words) in P.CLASSES.items():
            for w in words:
                if w in self._lem_class:
                    raise ValueError(f"{w!r} is in two classes")
                self._lem_class[w] = (name, group)
        self._surf_class: dict[str, tuple[str, Optional[str]]] = {}
        for name, (group, words) in P.SURFACE_CLASSES.items():
            for w in words:
                self._surf_class[w] = (name, group)
        self._group_members: dict[str, set[str]] = {}
        for group, words in P.CLASSES.values():
            if group:
                self._group_members.setdefault(group, set()).update(words)
        # Build-time caches. The same lemmas recur in thousands of expanded
        # patterns; computing their surface forms once each (and inverting
        # LEMMA_FIX once rather than scanning it per call) is most of the
        # build's speed.
        self._fix_forms: dict[str, set[str]] = {}
        for form, lemma in P.LEMMA_FIX.items():
            self._fix_forms.setdefault(lemma, set()).add(form)
        self._surface_cache: dict[str, frozenset[str]] = {}

        self._families: dict[str, _Family] = {}
        self._pattern_info: dict[int, tuple[_Family, bool]] = {}
        self._matchers: dict[str, Matcher] = {}
        self._guard_matchers: dict[str, Matcher] = {}
        self._guard_veto: dict[int, frozenset] = {}
        # per anchor key: how far its patterns reach before/after the anchor token
        self._reach: dict[str, tuple[int, int]] = {}
        # per anchor key: the key sets its patterns need; a matcher is run only
        # when one of them is fully present in the message
        self._reqs: dict[str, list[frozenset]] = {}
        self._needed_keys: set[str] = set()
        self._gate: set[str] = set()
        self.max_len = 1
        self.n_patterns = 0

        for d in P.FAMILIES:
            fam = _family(d)
            if fam.cat not in CATEGORIES:
                raise ValueError(f"{fam.id}: bad category {fam.cat}")
            self._families[fam.id] = fam
            for i, tpl in enumerate(d["templates"]):
                key = f"{fam.id}#{i}"
                has_neg = "@neg" in tpl or "=never" in tpl or "=nothing" in tpl
                self._pattern_info[nlp.vocab.strings.add(key)] = (fam, has_neg)
                self._add(self._matchers, key, _expand(tpl), gate=True)
        for d in P.GUARDS:
            for i, tpl in enumerate(d["templates"]):
                key = f"{d['id']}#{i}"
                self._guard_veto[nlp.vocab.strings.add(key)] = frozenset(d["veto"])
                self._add(self._guard_matchers, key, _expand(tpl), gate=False)

        self._tok_cache: dict[int, tuple] = {}
        self._word_cache: dict[str, str] = {}
        self._blank_tag = nlp.vocab.strings.add("_")
        self._typo_targets = set(self._gate) | set(P.TYPOS)
        self._distant = re.compile(P.DISTANT_PAST)
        self._resolved = re.compile(P.RESOLVED)
        self._recent = re.compile(P.RECENT)
        self._recent_event = re.compile(P.RECENT_EVENT)
        self._minor = re.compile(P.MINOR_CUE)
        self._adult = re.compile(P.ADULT_CUE)
        self._third_minor = re.compile(P.THIRD_MINOR)
        self._qstart = re.compile(P.QUESTION_START)
        self._childhood = re.compile(
            r"\b(?:when i was (?:a kid|a child|little|small|young|younger|a teen|a teenager|\d+)"
            r"|as a (?:kid|child|teen|teenager)|growing up|grew up|childhood)\b"
        )
        self._media_rx = re.compile(
            r"\b(?:writing|write|wrote|reading|read|watching|watched) (?:a|an|my|the|this) "
            r"(?:story|book|novel|script|poem|fanfic|fic|essay|paper|article|scene|show|movie|film)\b"
        )

    # -- compilation helpers -------------------------------------------------

    def _surfaces(self, lemma: str) -> frozenset[str]:
        """Surface forms that lemmatise to ``lemma`` (regular and common irregular).

        Cached per lemma (unless ``cache`` is off); frozen because the cached
        value is shared by every caller.
        """
        forms = self._surface_cache.get(lemma)
        if forms is None:
            forms = frozenset(self._compute_surfaces(lemma))
            if self._cache:
                self._surface_cache[lemma] = forms
        return forms

    def _compute_surfaces(self, lemma: str) -> set[str]:
        """``_surfaces`` without the cache."""
        cands = {lemma, lemma + "s", lemma + "es", lemma + "ed", lemma + "d", lemma + "ing"}
        if lemma.endswith("e"):
            cands |= {lemma[:-1] + "ing"}
        if lemma.endswith("y"):
            cands |= {lemma[:-1] + "ies", lemma[:-1] + "ied"}
        if len(lemma) > 2:
            cands |= {lemma + lemma[-1] + "ing", lemma + lemma[-1] + "ed"}
        cands |= set(_IRREGULAR.get(lemma, ()))
        if self._cache:
            cands |= self._fix_forms.get(lemma, set())
        else:
            cands |= {k for k, v in P.LEMMA_FIX.items() if v == lemma}
        return {c for c in cands if c == lemma or self._lemma_of(c) == lemma}

    def _lemma_of(self, low: str) -> str:
        fix = P.LEMMA_FIX.get(low)
        if fix is not None:
            return fix
        return self._table.get(low, low) if self._table else low

    def _spec_words(self, spec: dict) -> tuple[Optional[str], AbstractSet[str]]:
        """(anchor key, surface forms) for a token spec; key None if not anchorable."""
        if "LEMMA" in spec:
            w = spec["LEMMA"]
            return "L:" + w, self._surfaces(w)
        if "LOWER" in spec:
            w = spec["LOWER"]
            return "W:" + w, {w}
        if "NORM" in spec:
            name = spec["NORM"]
            if name in P.SURFACE_CLASSES:
                return "N:" + name, set(P.SURFACE_CLASSES[name][1])
            out: set[str] = set()
            for w in P.CLASSES[name][1]:
                out |= self._surfaces(w)
            return "N:" + name, out
        if "TAG" in spec:
            grp = spec["TAG"]
            out = set()
            for w in self._group_members.get(grp, ()):
                out |= self._surfaces(w)
            return "T:" + grp, out
        return None, set()

    def _score(self, words: set[str]) -> float:
        if not words:
            return float("inf")
        s = 0.0
        for w in words:
            if not w.isalnum():
                return float("inf")
            s += 10000 if w in _VERY_COMMON else 100 if w in _COMMON else 1
        return s

    def _add(self, table: dict, key: str, pats: list[list[dict]], gate: bool) -> None:
        for pat in pats:
            best = None
            for idx, spec in enumerate(pat):
                if spec.get("OP") or not spec:
                    continue
                akey, words = self._spec_words(spec)
                if akey is None:
                    continue
                sc = self._score(words)
                if best is None or sc < best[0]:
                    best = (sc, akey, words, idx)
            if best is None or best[0] == float("inf"):
                raise ValueError(f"{key}: pattern has no anchor word")
            akey, idx = best[1], best[3]
            req = frozenset(k for k in (self._spec_words(sp)[0] for sp in pat if sp and not sp.get("OP")) if k)
            self._needed_keys |= req
            reqs = self._reqs.setdefault(akey, [])
            if req not in reqs:
                reqs.append(req)
            before, after = self._reach.get(akey, (0, 0))
            self._reach[akey] = (max(before, idx), max(after, len(pat) - idx - 1))
            m = table.get(akey)
            if m is None:
                m = table[akey] = Matcher(self.nlp.vocab, validate=self._validate)
            m.add(key, [pat])
            self.max_len = max(self.max_len, len(pat))
            if gate:
                self._gate |= best[2]
                self.n_patterns += 1

    def compiled(self) -> dict[str, object]:
        """Everything the build produced that ``detect`` relies on, as plain data.

        Two detectors with equal ``compiled()`` detect the same things. Used by
        tests/unit/test_crisis_build.py and bench/startup.py to check that a
        faster build compiles exactly what a straightforward one does.
        """
        strings = self.nlp.vocab.strings

        def patterns(table: dict[str, Matcher]) -> dict[tuple[str, str], list[list[dict]]]:
            # (anchor key, pattern key) -> the token patterns added, in order.
            # ``_patterns`` (declared public by spaCy's Matcher) holds them as
            # given; ``Matcher.get`` would mean probing every key in every matcher.
            return {
                (anchor, strings[key]): list(pats)
                for anchor, matcher in table.items()
                for key, pats in matcher._patterns.items()
            }

        return {
            "matchers": patterns(self._matchers),
            "guard_matchers": patterns(self._guard_matchers),
            "pattern_info": {strings[k]: (fam.id, has_neg) for k, (fam, has_neg) in self._pattern_info.items()},
            "guard_veto": {strings[k]: veto for k, veto in self._guard_veto.items()},
            "reach": dict(self._reach),
            "reqs": {k: list(v) for k, v in self._reqs.items()},
            "needed_keys": set(self._needed_keys),
            "gate": set(self._gate),
            "typo_targets": set(self._typo_targets),
            "max_len": self.max_len,
            "n_patterns": self.n_patterns,
        }

    # -- normalisation -------------------------------------------------------

    def normalise(self, text: str) -> str:
        """Lower-case, repair and canonicalise ``text`` (see module docstring)."""
        t = unicodedata.normalize("NFKC", text).lower()
        if not t.isascii():
            t = _APOS_RE.sub("'", t)
            t = _QUOTE_RE.sub('"', t)
            t = _EMOJI_RE.sub(self._emoji, t)
            t = _INVISIBLE_RE.sub("", t)
        if "*" in t or "#" in t:
            t = _STAR_RE.sub("", t)
        for needle, rx, rep in _PRE_FIXES:
            if needle in t:
                t = rx.sub(rep, t)
        parts = _SPLIT_RE.split(_SPACES_RE.sub(" ", t).strip())
        cache = self._word_cache
        i, n = 1, len(parts)
        while i < n:
            w = parts[i]
            if len(w) == 1 and i + 2 < n and len(parts[i + 2]) == 1 and parts[i + 1] in _SPELL_SEPS:
                j = self._join_spelled(parts, i)
                if j > i:
                    i = j
                    continue
            r = cache.get(w)
            if r is None:
                r = self._fix_raw(w)
                if len(cache) < 100_000:
                    cache[w] = r
            parts[i] = r
            i += 2
        t = "".join(parts)
        padded = f" {t} "
        for needle, rx, rep in _PHRASE_FIXES:
            if needle in padded:
                t = rx.sub(rep, t)
        return t

    def _fix_raw(self, w: str) -> str:
        """Canonical form of one raw word (typo, leetspeak, stretched letters)."""
        rep = P.TYPOS.get(w)
        if rep is not None:
            return rep
        if not w.isalpha() and any(c.isdigit() for c in w) and any(c.isalpha() for c in w):
            w2 = _LEET_RE.sub(lambda m: _LEET[m.group(0)], w)
            if w2 != w:
                return self._fix_raw(w2)
        if _STRETCH_RE.search(w):
            w = _STRETCH_RE.sub(r"\1\1", w)
            r = self._fix_word(w, True)
        else:
            r = self._fix_word(w)
        return w if r is None else r

    def _join_spelled(self, parts: list[str], i: int) -> int:
        """Join letters spelled out one by one ("k i l l", "d-i-e") starting at
        parts[i] when they form a known word; return the next index to visit
        (``i`` when nothing was joined)."""
        n = len(parts)
        if not parts[i].isalpha():
            return i
        j = i
        while j + 2 < n and parts[j + 1] in _SPELL_SEPS and len(parts[j + 2]) == 1 and parts[j + 2].isalpha():
            j += 2
        if j - i < 4:  # fewer than three letters
            return i
        joined = "".join(parts[k] for k in range(i, j + 1, 2))
        fixed = self._fix_word(joined)
        if joined not in self._gate and fixed is None:
            return i
        parts[i] = fixed or joined
        for k in range(i + 1, j + 1):
            parts[k] = ""
        return j + 2

    @staticmethod
    def _emoji(m: re.Match) -> str:
        ch = _INVISIBLE_RE.sub("", m.group(0))[:1]
        word = P.EMOJI_WORDS.get(ch)
        return f" {word} " if word else f" {ch} "

    def _fix_word(self, w: str, stretched: bool = False) -> Optional[str]:
        rep = P.TYPOS.get(w)
        if rep is not None:
            return rep if rep != w else None
        if w in self._gate:
            return None
        if len(w) >= 5 and w.endswith("in") and w + "g" in self._gate and w not in _COMMON:
            return w + "g"  # dropped g: "cuttin", "dyin"
        if len(w) >= 4 and w.endswith("d") and w[:-1] + "ed" in self._gate:
            return w[:-1] + "ed"  # "chokd" -> "choked"
        if stretched:  # "dieeee" -> "diee" -> "die"
            for v in _stretch_variants(w):
                if v in self._typo_targets:
                    return P.TYPOS.get(v, v)
        elif len(w) >= 4 and w not in _COMMON:  # "cutt" -> "cut", "pilss" is left alone
            for v in _stretch_variants(w):
                if v in self._gate and v not in _COMMON:
                    return v
        return None

    # -- detection -----------------------------------------------------------

    def detect(self, text: str) -> Optional[Detection]:
        return self.assess(text).detection

    def assess(self, text: str) -> Assessment:
        """The verdict, and whether crisis wording was seen but deliberately ruled out.

        ``ruled_out`` is True when a pattern matched and every match was judged
        not a crisis (negation, figurative use, an informational question,
        resolved past). The crisis gate lets that judgement stand over the
        classifier, which sees words without their context.
        """
        if not text or not text.strip():
            return Assessment(None, False)
        norm = self.normalise(text)
        words = set(norm.translate(_NON_ALNUM).split())
        if self._gate.isdisjoint(words):
            return Assessment(None, False)
        doc = self.nlp.make_doc(norm)
        positions = self._prepare(doc)
        hits = self._run(self._matchers, positions, positions.keys(), doc, self._hit)
        if not hits:
            return Assessment(None, False)
        lo = min(h.start for h in hits) - self.max_len
        hi = max(h.end for h in hits) + self.max_len
        near = {k: [p for p in v if lo <= p <= hi] for k, v in positions.items() if k in self._guard_matchers}
        guards = self._run(self._guard_matchers, near, positions.keys(), doc, self._guard)
        ctx = _Context(self, norm, words, doc, text)
        seen = set()
        found: list[tuple[tuple, Detection]] = []
        for h in hits:
            sig = (h.fam.id, h.start, h.end)
            if sig in seen:
                continue
            seen.add(sig)
            res = self._judge(h, doc, guards, ctx)
            if res is None:
                continue
            cat, explicit = res
            found.append(((_RANK[cat], 0 if explicit else 1, h.start), Detection(cat, h.fam.id, explicit)))
        if not found:
            return Assessment(None, True)
        cats = {d.category for _, d in found}
        if "third_party" in cats and {d.rule for _, d in found if d.category == "immediate_danger"} <= {"danger.weapon_has"}:
            # "my dad says he'll end it all and has a gun": the gun is his means, not a threat
            found = [f for f in found if f[1].rule != "danger.weapon_has"]
        return Assessment(min(found, key=lambda f: f[0])[1], False)

    def _hit(self, mid: int, s: int, e: int) -> _Hit:
        fam, has_neg = self._pattern_info[mid]
        return _Hit(fam, s, e, has_neg)

    def _guard(self, mid: int, s: int, e: int) -> tuple:
        return (s, e, self._guard_veto[mid])

    def _run(self, matchers: dict, positions: dict, present, doc, make) -> list:
        """Run each anchor's matcher on short spans around that anchor's tokens.

        The Matcher walks its span token by token, so many calls over a whole
        long message are costly; spans of +-max_len around anchors are enough
        because every pattern contains its anchor.
        """
        out = []
        n = len(doc)
        reach, reqs = self._reach, self._reqs
        for key, pos in positions.items():
            m = matchers.get(key)
            if m is None or not pos:
                continue
            if not any(r <= present for r in reqs[key]):
                continue
            before, after = reach[key]
            spans = []
            for p in pos:
                lo, hi = max(0, p - before), min(n, p + after + 1)
                if spans and lo <= spans[-1][1]:
                    spans[-1][1] = hi
                else:
                    spans.append([lo, hi])
            for lo, hi in spans:
                if lo >= hi:
                    continue
                span = doc if (lo, hi) == (0, n) else doc[lo:hi]
                for mid, s, e in m(span):
                    out.append(make(mid, s + lo, e + lo))
        return out

    def _prepare(self, doc) -> dict[str, list[int]]:
        """Set lemma, class (NORM) and group (TAG) on every token in one array
        pass; return, per anchor key, the positions of tokens carrying it."""
        arr = doc.to_array([LOWER, NORM])
        out = numpy.zeros((len(doc), 3), dtype="uint64")
        cache = self._tok_cache
        positions: dict[str, list[int]] = {}
        for i, (low, norm) in enumerate(arr.tolist()):
            info = cache.get(low)
            if info is None:
                info = self._token_info(low)
            lem, cls, grp, keys = info
            out[i, 0] = lem
            out[i, 1] = cls or norm
            if grp:
                out[i, 2] = grp
            for k in keys:
                p = positions.get(k)
                if p is None:
                    positions[k] = [i]
                else:
                    p.append(i)
        if len(doc) and not out[0, 2]:
            # The Matcher checks that the doc has tags before using TAG patterns,
            # scanning from the first token: give that token a neutral tag.
            out[0, 2] = self._blank_tag
        doc.from_array([LEMMA, NORM, TAG], out)
        return positions

    def _token_info(self, low_id: int) -> tuple:
        strings = self.nlp.vocab.strings
        low = strings[low_id]
        lem = P.LEMMA_FIX.get(low)
        if lem is None:
            lem = self._table.get(low, low) if self._table else low
        cls = self._surf_class.get(low) or self._lem_class.get(lem)
        keys = ["L:" + lem, "W:" + low]
        if cls is not None:
            keys.append("N:" + cls[0])
            if cls[1]:
                keys.append("T:" + cls[1])
        keys = tuple(k for k in keys if k in self._needed_keys)
        info = (
            strings.add(lem),
            strings.add(cls[0]) if cls else 0,
            strings.add(cls[1]) if cls and cls[1] else 0,
            keys,
        )
        if len(self._tok_cache) < 200_000:
            self._tok_cache[low_id] = info
        return info

    def _title_spans(self, raw: str) -> list[str]:
        """Normalised text of quoted passages and Title Cased runs in ``raw``."""
        out = []
        for m in _QUOTED_RE.finditer(raw):
            out.append(self.normalise(m.group(1)))
        for m in _TITLE_RE.finditer(raw):
            out.append(self.normalise(m.group(0)))
        return out

    # -- judging one match ---------------------------------------------------

    def _judge(self, h: _Hit, doc, guards, ctx: _Context) -> Optional[tuple[str, bool]]:
        fam = h.fam
        if fam.unless and not fam.unless.isdisjoint(ctx.words):
            return None
        if fam.needs and fam.needs.isdisjoint(ctx.words):
            return None
        if fam.unless_prev:
            for j in range(max(0, h.start - 3), h.start):
                if doc[j].lower_ in fam.unless_prev:
                    return None
        if fam.end and not _clause_ends(doc, h.end):
            return None
        if not h.has_neg and any(doc[j].lemma_ in ("not", "never", "no") for j in range(h.start, h.end)):
            return None
        if _negated(doc, h.start, fam.kind == "mention"):
            return None
        for gs, ge, veto in guards:
            if gs < h.end and h.start < ge and (fam.id in veto or fam.cat in veto or "*" in veto):
                return None
        if fam.kind == "violence":
            return self._judge_violence(h, doc, ctx)
        if fam.kind == "victim":
            return self._judge_victim(h, doc, ctx)

        person = _person(doc, h, fam)
        if fam.first_only and person not in ("first", "first_default"):
            return None
        if fam.needs_subject and person in (None, "first_default"):
            return None
        if fam.third_only and person not in ("third", "third_generic"):
            return None
        if fam.id.startswith("attempt.pills") and not _pill_count_ok(doc, h):
            return None
        if person == "third" and fam.id in _BEREAVEMENT_FAMILIES and _completed(doc, h):
            return None
        if not ctx.allows(person, doc, h):
            return None
        cat = fam.cat
        explicit = fam.explicit and (fam.kind == "fixed" or person not in (None, "generic", "third_generic"))
        if not fam.explicit and fam.kind == "self" and cat in _SELF_RISK and ctx.normal_question:
            return None  # "i feel like a burden sometimes, is that normal?"
        hist = ctx.history(doc, h)
        if hist == "resolved":
            return None
        if hist == "old" and cat == "attempt":
            cat, explicit = "suicide", False
        if cat == "attempt" and _planned(doc, h):
            cat = "suicide"  # "thinking of overdosing": a plan, not an attempt yet
        if fam.kind in ("self", "mention") and cat in _SELF_RISK and person in ("third", "third_generic"):
            cat = "third_party"
        if person in (None, "generic") and fam.kind == "mention":
            explicit = False
        return cat, explicit

    def _judge_victim(self, h: _Hit, doc, ctx: _Context) -> Optional[tuple[str, bool]]:
        if h.end + 1 < len(doc) and doc[h.end].lower_ == "by":
            # "attacked by a seagull": only people count
            agent = [doc[k] for k in range(h.end + 1, min(len(doc), h.end + 4))]
            if not any(t.tag_ in ("PERSON", "PRON3") or t.lower_ in ("someone", "somebody") for t in agent):
                return None
        person = _person(doc, h, h.fam)
        if not ctx.allows(person, doc, h):
            return None
        if ctx.history(doc, h) == "resolved":
            return None
        agent = _person_in(doc, h.start, h.end)
        if person in ("first", "first_default"):
            return self._writer_abused(agent, doc, ctx), h.fam.explicit
        if person in ("third", "third_generic"):
            vi = _nearest_person_index(doc, h.start)
            if (vi is not None and _is_child(doc, vi)) or ctx.third_minor:
                return "child_abuse", True
            return "third_party", False
        return None

    def _writer_abused(self, actor, doc, ctx: _Context) -> str:
        """abuse or child_abuse for abuse of the writer."""
        if ctx.minor:
            return "child_abuse"
        if actor is not None and _child_abuser(doc, actor) and not ctx.childhood and not ctx.adult:
            return "child_abuse"
        return "abuse"

    def _judge_violence(self, h: _Hit, doc, ctx: _Context) -> Optional[tuple[str, bool]]:
        """X does violence to Y: decide between abuse, child_abuse, harm_to_others,
        immediate_danger and third_party from who acts and who is hurt."""
        fam = h.fam
        victim, vtok = None, None  # victim: last person word in the match
        verb_kill = False
        for j in range(h.start, h.end):
            t = doc[j]
            low = t.lower_
            if t.norm_ == "@kill":
                verb_kill = True
            if t.tag_ == "REFL" and fam.id != "violence.sexual":
                return None  # "he hurt himself" belongs to the self-harm families
            if low in ("me", "us"):
                victim, vtok = "first", j
            elif victim == "first":
                continue  # "hits my mom and me": the writer is among the victims
            elif t.norm_ == "@him":
                victim, vtok = "third", j
            elif t.tag_ == "PERSON":
                victim, vtok = ("generic" if t.norm_ in ("@someone", "@people") else "third"), j
        if victim is None and (fam.flags & {"touch", "control", "fear", "confine", "secret"}
                               or fam.id in ("violence.sexual", "violence.threat")):
            victim = "first"
        if fam.id == "violence.others" and victim is None:
            victim = "third"
        if fam.id in ("violence.threat", "violence.secret") or fam.flags & {"control", "secret"}:
            victim = "first"
        actor_i = _subject_index(doc, h.start, fam)
        actor = _actor_kind(doc, actor_i)
        if "fear" in fam.flags:
            # "scared of my husband", "my dad is abusive": the feared person is in the match
            actor_i = _person_in(doc, h.start, h.end)
            actor, victim = "third", "first"
        elif actor == "first" and fam.flags & {"control", "confine"}:
            # "i have to check with him before i leave", "i'm being held": the
            # writer is the subject, the one in control is named in the match or unknown
            actor_i = _person_in(doc, h.start, h.end)
            actor = "third"
        if not ctx.allows(actor if victim != "first" else "first", doc, h):
            return None
        if ctx.history(doc, h) == "resolved":
            return None
        intent = _intent_before(doc, h.start)
        if _wish_before(doc, h.start):
            return None  # "i wish someone would kill me" is a death wish, not a threat

        if victim == "first":
            if actor == "first":
                return None
            if actor is None:
                if fam.id != "violence.act" or fam.flags:
                    actor = "third"
                elif not _strong_abuse(doc, h):
                    return None
            if actor_i is not None and (doc[actor_i].lower_ in _BABY_WORDS or _is_little(doc, actor_i)) \
                    and not _strong_abuse(doc, h, sexual_only=True):
                return None  # a toddler or little brother hitting is not abuse
            if verb_kill and fam.id == "violence.act" and intent not in _FUTURE_THREAT:
                return None  # "she kills me", "this job is killing me"
            if fam.id == "violence.future" and actor_i is None:
                return None  # "this workout is going to kill me": no one is threatening
            if "touch" in fam.flags:
                if not (actor_i is not None and _child_abuser(doc, actor_i)) and not ctx.touch_qualified:
                    return None
            if "secret" in fam.flags:
                if not (actor_i is not None and _child_abuser(doc, actor_i)) and not ctx.minor \
                        and fam.id == "violence.secret":
                    return None
            if "control" in fam.flags and actor_i is not None and doc[actor_i].norm_ in ("@parent", "@child", "@friend"):
                return None  # parents and bosses setting rules
            if "confine" in fam.flags:
                # held or trapped right now is danger; a habit of locking in is abuse
                if doc[h.start].lemma_ == "be" or ctx.confined_now:
                    return "immediate_danger", True
                return self._writer_abused(actor_i, doc, ctx), True
            if fam.id == "violence.future" or (fam.id == "violence.act" and intent in _FUTURE_THREAT):
                if actor_i is not None and doc[actor_i].norm_ in ("@parent", "@friend", "@sib") and not ctx.threat_words:
                    return None  # "my mom is going to kill me when she sees this"
                if _conditional_after(doc, h.end):
                    return self._writer_abused(actor_i, doc, ctx), False
                if doc[h.start].lemma_ == "be" and not ctx.now:
                    return self._writer_abused(actor_i, doc, ctx), True
                return "immediate_danger", fam.id != "violence.future" or ctx.now
            cat = self._writer_abused(actor_i, doc, ctx)
            if cat == "abuse" and ctx.now and fam.id == "violence.act" and _just_now(doc, h):
                return "immediate_danger", True
            weak = doc[h.start].lower_ == "hurt"
            return cat, fam.explicit and not weak

        if victim in ("third", "generic"):
            if actor in ("first", None, "first_default"):
                if actor is None and not intent and fam.id != "violence.others":
                    return None
                if _hyperbole(doc, h, intent):
                    return None
                return "harm_to_others", bool(intent) and intent in _STRONG_INTENT
            # someone else hurts someone else
            if victim == "generic":
                return None
            if actor_i is not None and doc[actor_i].norm_ == "@child" and not intent:
                return None  # siblings squabbling
            if intent and intent in _STRONG_INTENT and fam.id != "violence.threat":
                return "harm_to_others", False
            if "touch" in fam.flags and not (actor_i is not None and _child_abuser(doc, actor_i)) \
                    and not ctx.touch_qualified:
                return None
            if vtok is not None and (_is_child(doc, vtok) or ctx.third_minor
                                     or (actor_i is not None and doc[actor_i].norm_ == "@parent"
                                         and doc[vtok].norm_ not in ("@parent", "@partner"))):
                return "child_abuse", True
            if actor in ("third", "third_generic"):
                return "third_party", False
        return None


# ---------------------------------------------------------------------------
# Context helpers
# ---------------------------------------------------------------------------

_IRREGULAR = {
    "take": ("took", "taken"), "give": ("gave", "given"), "beat": ("beaten",),
    "shoot": ("shot",), "hang": ("hung", "hanged"), "throw": ("threw", "thrown"),
    "bleed": ("bled",), "burn": ("burnt",), "eat": ("ate", "eaten"), "drink": ("drank", "drunk"),
    "leave": ("left",), "feel": ("felt",), "say": ("said",), "tell": ("told",),
    "make": ("made",), "go": ("went", "gone"), "do": ("did", "done"), "see": ("saw", "seen"),
    "think": ("thought",), "write": ("wrote", "written"), "sleep": ("slept",),
    "wake": ("woke", "woken"), "lose": ("lost",), "break": ("broke", "broken"),
    "fall": ("fell", "fallen"), "bite": ("bit", "bitten"), "buy": ("bought",),
    "get": ("got", "gotten"), "have": ("had", "has"), "hold": ("held",),
    "be": ("is", "am", "are", "was", "were", "been", "being", "'m", "'re", "'s", "m", "re", "s"),
    "hide": ("hid", "hidden"), "drive": ("drove", "driven"), "keep": ("kept",),
    "shake": ("shook", "shaken"), "fight": ("fought",), "strike": ("struck",),
    "die": ("died", "dying"), "slit": ("slit",), "cut": ("cut",), "hit": ("hit",), "hurt": ("hurt",),
    "will": ("'ll", "ll", "wo"), "would": ("'d", "d"), "can": ("ca", "could"), "not": ("n't", "nt"),
    "life": ("lives",), "child": ("children",), "man": ("men",), "woman": ("women",),
    "person": ("people",), "thought": ("thoughts",), "swear": ("swore", "sworn"),
}

_BEREAVEMENT_FAMILIES = frozenset({"suicide.kill_self", "suicide.end_life", "suicide.commit"})
_COMPLETED = frozenset({"killed", "committed", "hanged", "hung", "shot", "ended", "took", "died"})
_RISK_VERBS = frozenset({"want", "need", "deserve", "wish", "hope", "plan", "keep", "cut", "burn",
                         "hurt", "harm", "try", "say", "talk", "think", "feel", "take", "overdose"})
_AUX_3SG = frozenset({"keep", "say", "have", "do", "talk", "think", "feel", "want", "start"})
_PLAN_WORDS = frozenset({"think", "thinking", "want", "plan", "planning", "go", "going", "consider",
                         "considering", "might", "may", "will", "'ll", "gonna", "gon", "ready",
                         "decide", "wish", "need", "about", "urge", "tempt", "tempted"})
_DONE_FORMS = frozenset({"took", "taken", "tried", "attempted", "overdosed", "swallowed", "downed",
                         "drank", "ate", "jumped", "hanged", "hung", "slashed", "popped", "od'd"})
_GIVE_VERBS = frozenset({"send", "sent", "text", "texted", "message", "tell", "write", "give",
                         "show", "call", "email", "dm", "post"})
_COERCION_VERBS = frozenset({"leave", "tell", "go", "report", "call", "break", "try", "divorce",
                             "talk", "not", "ever", "say", "stop", "refuse"})
_SUBJECTS = frozenset({"i", "he", "she", "they", "we", "you"})
_QUOTE_VERBS = frozenset({"say", "saying", "post", "text", "tweet", "type", "write", "joke", "keep"})
_FIRST_PERSON = frozenset({"i", "me", "my", "myself", "mine", "im"})
_ASK_VERBS = frozenset({"ask", "screen", "assess", "question", "check"})
_SPEECH_VERBS = frozenset({"ask", "screen", "assess", "question", "report", "tell", "say", "talk",
                           "discuss", "mention", "bring", "disclose", "share", "admit", "write"})
_FUTURE_THREAT = frozenset({"go", "going", "gonna", "gon", "will", "'ll", "about", "try", "trying",
                            "coming", "come", "plan", "planning", "threaten", "want", "swear"})
_BABY_WORDS = frozenset({"baby", "toddler", "infant", "newborn", "cat", "dog"})
_STRONG_INTENT = frozenset({"want", "going", "gonna", "go", "will", "'ll", "plan", "planning",
                            "intend", "decide", "decided", "ready", "gon", "swear", "need", "scared",
                            "afraid", "terrified", "worried", "worry", "fear", "urge", "thought",
                            "think", "thinking", "fantasize"})
_SEXUAL_VERBS = frozenset({"rape", "molest", "grope", "fondle", "abuse", "touch"})
_STRONG_ABUSE_VERBS = frozenset({"abuse", "rape", "molest", "grope", "fondle", "beat", "choke",
                                 "strangle", "punch", "slap", "kick", "hit", "smack", "shove",
                                 "throttle", "whip", "batter", "assault", "torture", "threaten"})


def _clause_ends(doc, end: int) -> bool:
    if end >= len(doc):
        return True
    t = doc[end]
    if t.is_punct or t.is_space or not t.text[0].isalnum():
        return True
    return t.lower_ in P.END_OK


def _negated(doc, start: int, mention: bool = False) -> bool:
    """A denial right before the match in the same clause ("i'm not suicidal").

    The scope ends at a clause break or at a subject ("if i don't hand it over
    he gets violent": the "don't" is not about "he gets violent").
    """
    first = doc[start]
    if first.lower_ in _SUBJECTS or first.tag_ == "PERSON":
        return False
    j = start - 1
    steps = 0
    while j >= 0 and steps < 6:
        t = doc[j]
        low = t.lower_
        if low in P.CLAUSE_BREAK or t.is_punct or t.is_space:
            return False
        if (low in _SUBJECTS or t.tag_ == "PERSON") and not mention:
            return False
        if t.lemma_ in P.NEGATORS or low in P.NEGATORS:
            nxt = [doc[k].lower_ for k in range(j + 1, min(len(doc), j + 4))]
            nxt_lem = [doc[k].lemma_ for k in range(j + 1, min(len(doc), j + 4))]
            if nxt and (nxt[0] == "i" or nxt[0] in P.NEG_EXCEPT_NEXT or nxt_lem[0] in P.NEG_EXCEPT_NEXT):
                return False
            if any(w in ("lie", "lying", "kidding", "joking", "stop") for w in nxt):
                return False
            return True
        j -= 1
        steps += 1
    return False


def _is_3sg(t) -> bool:
    low, lem = t.lower_, t.lemma_
    if low in ("is", "has", "was", "does"):
        return True
    if low == lem or not low.endswith("s"):
        return False
    return low in (lem + "s", lem + "es") or (lem.endswith("y") and low == lem[:-1] + "ies")


def _person_word(doc, j: int, adjacent: bool) -> Optional[str]:
    t = doc[j]
    low = t.lower_
    if low == "i":
        if (j > 0 and doc[j - 1].lower_ in P.SOMEONE_I_KNOW_HEAD and j + 1 < len(doc)
                and doc[j + 1].lemma_ in P.SOMEONE_I_KNOW_VERB):
            return "third"
        return "first"
    if low in ("myself", "mine"):
        return "first"
    if low == "my":
        return "first" if adjacent else None
    if low == "me":
        return "first" if adjacent else None
    if low in ("he", "she", "they"):
        return "third"
    if low in ("his", "her", "their"):
        return "third" if adjacent else None
    if t.tag_ == "PERSON" or low in P.GENERIC_WORDS:
        prev = doc[j - 1].lower_ if j > 0 else ""
        if (t.tag_ == "PERSON" and low != t.lemma_ and low.endswith("s")
                and prev not in ("my", "our", "his", "her", "their", "the", "these", "those", "'s")):
            return "third_generic"  # "teenagers", "parents": people in general
        if low in P.GENERIC_WORDS and prev not in ("my", "our", "his", "her", "their", "the", "this"):
            if low in ("you", "your", "we", "us", "our", "one") or t.norm_ in ("@someone", "@people"):
                return "generic"
            return "third_generic"
        if prev in ("a", "an", "any", "every", "some"):
            return "third_generic"
        return "third"
    return None


def _subject_index(doc, start: int, fam: _Family) -> Optional[int]:
    j = start - 1
    steps = 0
    while j >= 0 and steps < 12:
        t = doc[j]
        if t.lower_ in P.SENT_BREAK or (t.is_space and "\n" in t.text):
            return None
        if _person_word(doc, j, j == start - 1 or fam.subj == "nearest") is not None:
            return j
        j -= 1
        steps += 1
    return None


def _actor_kind(doc, j: Optional[int]) -> Optional[str]:
    if j is None:
        return None
    return _person_word(doc, j, True)


def _person_in(doc, start: int, end: int) -> Optional[int]:
    for j in range(start, end):
        t = doc[j]
        if t.tag_ in ("PERSON", "PRON3"):
            return j
    return None


def _nearest_person_index(doc, start: int) -> Optional[int]:
    j = start - 1
    while j >= 0 and start - j <= 12:
        t = doc[j]
        if t.lower_ in P.SENT_BREAK:
            return None
        if t.tag_ == "PERSON" or t.lower_ in ("he", "she", "they"):
            return j
        j -= 1
    return None


def _is_child(doc, j: int) -> bool:
    """A child: "my son", "the kid next door", "my little sister"."""
    t = doc[j]
    if t.norm_ == "@child":
        return True
    if t.norm_ in ("@sib", "@friend") and j > 0 and doc[j - 1].lower_ in ("little", "baby", "younger", "small", "infant"):
        return True
    return False


def _just_now(doc, h: _Hit) -> bool:
    """An act happening now or a moment ago ("he just hit me", "is hitting me right now")."""
    for j in range(max(0, h.start - 3), min(len(doc), h.end + 4)):
        if doc[j].lower_ in ("just", "now", "rn", "currently"):
            return True
    return False


def _child_abuser(doc, j: int) -> bool:
    t = doc[j]
    if t.norm_ in P.CHILD_ABUSER_CLASSES or t.lower_ in P.CHILD_ABUSER_WORDS:
        return True
    # "my mom's boyfriend", "moms boyfriend", "my dad's girlfriend"
    if t.norm_ == "@partner" and j >= 1:
        k = j - 1
        if doc[k].lower_ in ("'s", "s") and k >= 1:
            k -= 1
        if doc[k].norm_ == "@parent":
            return True
    return False


def _person(doc, h: _Hit, fam: _Family) -> Optional[str]:
    """Whose safety a self/mention/fixed match is about."""
    for j in range(h.start, h.end):
        t = doc[j]
        if t.norm_ == "@refl1":
            # "my friend keeps saying kms", "he'll kms": the speaker is at risk
            for k in range(max(0, h.start - 3), h.start):
                if doc[k].lower_ in ("he", "she", "they"):
                    return "third"
            for k in range(max(0, h.start - 5), h.start):
                if doc[k].lemma_ in _QUOTE_VERBS:
                    who = _subject_index(doc, k, fam)
                    if who is not None and _person_word(doc, who, True) in ("third", "third_generic"):
                        return "third"
            return "first"
        if t.norm_ == "@refl3":
            return "third"
    for j in range(h.start, h.end):
        low = doc[j].lower_
        if low == "me" and j > h.start and doc[j - 1].lemma_ in _GIVE_VERBS:
            continue  # "she sent me a goodbye text": the sender is at risk
        if low in ("my", "i", "me", "mine"):
            return "first"
        if low in ("his", "her", "their", "he", "she"):
            return "third"
    if fam.kind != "mention":  # in "child abuse" the person word only names the topic
        for j in range(h.start, h.end):
            t = doc[j]
            if t.tag_ == "PERSON" and t.norm_ not in ("@someone", "@people"):
                p = _person_word(doc, j, True)
                if p in ("third", "third_generic"):
                    return p
    if fam.kind == "mention":
        j = h.start - 1
        steps = 0
        while j >= 0 and steps < 7:
            t = doc[j]
            p = _person_word(doc, j, True)
            if p is not None:
                return p
            if t.lemma_ in P.LIGHT_WORDS or t.lower_ in P.LIGHT_WORDS or t.lower_ in ("'s", "'m", "'re", "'ve"):
                j -= 1
                steps += 1
                continue
            break
        return None
    j = _subject_index(doc, h.start, fam)
    if j is not None:
        return _person_word(doc, j, True)
    first = doc[h.start]
    prev = doc[h.start - 1] if h.start > 0 else None
    if (first.lemma_ in _RISK_VERBS and _is_3sg(first)) or (
            prev is not None and prev.lemma_ in _AUX_3SG and _is_3sg(prev) and prev.lower_ != "is"):
        return "third"  # "... wants to die", "keeps cutting"
    return "first_default"


def _completed(doc, h: _Hit) -> bool:
    """"my uncle killed himself": a completed suicide of someone else (bereavement)."""
    lo = max(0, h.start - 3)
    words = {doc[j].lower_ for j in range(lo, h.end)}
    return bool(words & _COMPLETED) and not words & {"tried", "attempted", "trying", "try"}


def _pill_count_ok(doc, h: _Hit) -> bool:
    for j in range(h.start, h.end):
        t = doc[j]
        if t.like_num:
            low = t.lower_
            val = _NUMBER_WORDS.get(low)
            if val is None:
                try:
                    val = int(low)
                except ValueError:
                    return True
            return val > 4
    return True


def _intent_before(doc, start: int) -> Optional[str]:
    """An intent or fear word before the match, within its clause and after its subject."""
    j = start - 1
    steps = 0
    while j >= 0 and steps < 8:
        t = doc[j]
        if t.lower_ in P.SENT_BREAK or t.lower_ == "," or t.tag_ == "PERSON" or t.lower_ in ("he", "she", "they"):
            break
        if t.lemma_ in P.INTENT_WORDS:
            return t.lemma_
        if t.lower_ in P.INTENT_WORDS:
            return t.lower_
        j -= 1
        steps += 1
    return None


def _planned(doc, h: _Hit) -> bool:
    """An attempt verb under an intent word and with no past-tense form."""
    if any(doc[j].lower_ in _DONE_FORMS for j in range(h.start, h.end)):
        return False
    for j in range(max(0, h.start - 4), h.start):
        if doc[j].lemma_ in _PLAN_WORDS or doc[j].lower_ in _PLAN_WORDS:
            return True
    return False


def _wish_before(doc, start: int) -> bool:
    for j in range(max(0, start - 6), start):
        if doc[j].lemma_ in ("wish", "hope", "pray"):
            return True
    return False


def _conditional_after(doc, end: int) -> bool:
    """A threat tied to a condition ("if i leave", "if i tell anyone"): coercion."""
    for j in range(end, min(len(doc), end + 6)):
        low = doc[j].lower_
        if low in P.SENT_BREAK:
            return False
        if low in ("if", "unless", "once") or (low == "when" and j + 2 < len(doc)):
            rest = {doc[k].lemma_ for k in range(j + 1, min(len(doc), j + 5))}
            if rest & _COERCION_VERBS:
                return True
    return False


def _hyperbole(doc, h: _Hit, intent: Optional[str]) -> bool:
    """"i could kill him", "gonna kill my brother lol", "... if he eats my food again 😂"."""
    lo = max(0, h.start - 4)
    before = {doc[j].lower_ for j in range(lo, h.start)}
    if "could" in before and not before & P.FEAR_WORDS:
        return True
    return any(t.lower_ in P.LAUGH_WORDS for t in doc)


def _strong_abuse(doc, h: _Hit, sexual_only: bool = False) -> bool:
    verbs = _SEXUAL_VERBS if sexual_only else _STRONG_ABUSE_VERBS
    return any(doc[j].lemma_ in verbs for j in range(h.start, h.end))


def _is_little(doc, j: int) -> bool:
    return j > 0 and doc[j - 1].lower_ in ("little", "baby", "younger", "small", "infant")


class _Context:
    """Message-level facts, computed lazily."""

    def __init__(self, det: CrisisDetector, norm: str, words: set[str], doc, raw: str = "") -> None:
        self.det = det
        self.raw = raw
        self.norm = norm
        self.words = words
        self.doc = doc
        self._cache: dict[str, bool] = {}

    def _flag(self, name: str, fn) -> bool:
        v = self._cache.get(name)
        if v is None:
            v = self._cache[name] = bool(fn())
        return v

    @property
    def info_question(self) -> bool:
        def test() -> bool:
            if not (self.det._qstart.search(self.norm) or "?" in self.norm):
                return False
            stems = self.words | {w[:-1] for w in self.words if w.endswith("s")}
            return not P.THERAPY_WORDS.isdisjoint(stems) or not P.TOPIC_QUESTION_WORDS.isdisjoint(stems)
        return self._flag("iq", test)

    @property
    def media(self) -> bool:
        return self._flag("media", lambda: not _MEDIA_WORDS.isdisjoint(self.words)
                          or self.det._media_rx.search(self.norm))

    @property
    def minor(self) -> bool:
        return self._flag("minor", lambda: self.det._minor.search(self.norm))

    @property
    def normal_question(self) -> bool:
        return self._flag("normq", lambda: re.search(
            r"\b(?:is|isn't) (?:it|that|this) (?:normal|common|okay|ok|weird|bad)\b|\bnormal to\b", self.norm))

    @property
    def confined_now(self) -> bool:
        return self._flag("cnow", lambda: re.search(
            r"\b(?:right now|now|rn|help|please|pls|plz|currently|car|bathroom|closet|basement|trapped)\b",
            self.norm))

    @property
    def adult(self) -> bool:
        return self._flag("adult", lambda: self.det._adult.search(self.norm))

    @property
    def third_minor(self) -> bool:
        return self._flag("tminor", lambda: self.det._third_minor.search(self.norm))

    @property
    def childhood(self) -> bool:
        return self._flag("child", lambda: self.det._childhood.search(self.norm))

    @property
    def now(self) -> bool:
        return self._flag("now", lambda: re.search(
            r"\b(?:right now|now|rn|at the moment|currently|as we speak|help|please|pls|plz|outside"
            r"|hurry|just|coming back|on (?:his|her|their) way|typing this|hiding|tonight)\b", self.norm))

    @property
    def threat_words(self) -> bool:
        return self._flag("threat", lambda: not self.words.isdisjoint(
            {"gun", "knife", "weapon", "threatened", "threatens", "threatening", "abusive",
             "hits", "beats", "scared", "afraid", "terrified", "violent", "police", "hurt", "help"}))

    @property
    def touch_qualified(self) -> bool:
        return self._flag("touch", lambda: not self.words.isdisjoint(P.TOUCH_QUALIFIERS)
                          or self.minor)

    def allows(self, person: Optional[str], doc, h: _Hit) -> bool:
        """False when the match is topic talk in an informational/media context."""
        if self.media and person not in ("first",):
            if person != "first_default" or self._reported(doc, h, about=True) \
                    or self.words.isdisjoint(_FIRST_PERSON):
                return False  # talk about a book, a film, a character
        if self.info_question or self.impersonal_question:
            if person in (None, "generic", "third_generic"):
                return False
            if self.info_question and self._reported(doc, h, about=True):
                return False
        if h.fam.kind == "mention" and self.question and self._reported(doc, h, about=True):
            return False  # "how do i talk to my teen about suicide"
        if self._reported(doc, h, about=False) and not self.confirmed:
            return False  # "my doctor asked if i'd thought about hurting myself"
        if self.media and self._in_title(doc, h):
            return False
        return True

    @property
    def question(self) -> bool:
        return self._flag("q", lambda: self.det._qstart.search(self.norm) or "?" in self.norm)

    @property
    def impersonal_question(self) -> bool:
        """A question that never speaks of the writer: topic talk."""
        return self._flag("impq", lambda: (self.det._qstart.search(self.norm) or "?" in self.norm)
                          and self.words.isdisjoint(_FIRST_PERSON))

    @property
    def confirmed(self) -> bool:
        return self._flag("yes", lambda: re.search(
            r"\b(?:i said yes|said yes|told (?:him|her|them) yes|yes i (?:have|do|am|did)|i lied"
            r"|i admitted|didn't tell (?:him|her|them) the truth)\b", self.norm))

    def _in_title(self, doc, h: _Hit) -> bool:
        """The match sits inside a quoted or Title Cased name (a song, book or film)."""
        spans = self.det._title_spans(self.raw)
        if not spans:
            return False
        frag = " ".join(doc[j].lower_ for j in range(h.start, h.end))
        return any(frag in sp for sp in spans)

    def _reported(self, doc, h: _Hit, about: bool) -> bool:
        """"asked if i'm suicidal" (a reported question) or, with ``about``,
        "if i talk about abuse" (talk about talk)."""
        if h.start > 0 and doc[h.start - 1].lower_ == "my":
            return False
        j = h.start - 1
        while j >= 0 and h.start - j < 8:
            low = doc[j].lower_
            if low in P.SENT_BREAK:
                return False
            if low in ("if", "whether", "about"):
                if low == "about" and not about:
                    j -= 1
                    continue
                verbs = _SPEECH_VERBS if low == "about" else _ASK_VERBS
                for k in range(max(0, j - 5), j):
                    if doc[k].lemma_ in verbs:
                        return True
            j -= 1
        return False

    def history(self, doc, h: _Hit) -> Optional[str]:
        """"resolved" for clearly resolved past events, "old" for unresolved old ones."""
        lo = max(0, h.start - 6)
        past = any(doc[j].lower_ in P.PAST_CUES for j in range(lo, h.end))
        if not past:
            return None
        distant = self._flag("distant", lambda: self.det._distant.search(self.norm))
        if not distant:
            return None
        if self._flag("event", lambda: self.det._recent_event.search(self.norm)):
            return None
        if self._flag("recur", lambda: self.det._recent.search(self.norm)):
            return "old"
        if self._flag("resolved", lambda: self.det._resolved.search(self.norm)) or self.info_question:
            return "resolved"
        return "old"


_MEDIA_WORDS = frozenset({
    "book", "novel", "movie", "film", "documentary", "series", "episode", "podcast", "song",
    "lyrics", "album", "essay", "thesis", "article", "research", "statistics", "lecture",
    "character", "fiction", "fictional", "script", "poem", "presentation", "awareness",
    "prevention", "campaign", "workshop", "definition", "netflix", "anime", "manga", "tv",
    "tiktok", "trending", "titled", "recommendations", "recommendation", "sings", "singer",
    "band", "track", "playlist", "rapper", "lyric", "audiobook", "memoir", "chapter", "reading",
    "history", "class", "coursework", "seminar", "module",
})


@functools.lru_cache(maxsize=1)
def get_detector() -> CrisisDetector:
    """The process-wide detector, built on first use from the project's pipeline."""
    from bot.nlp.pipeline import load

    return CrisisDetector(load())


__all__ = ["CATEGORIES", "PRIORITY", "Detection", "CrisisDetector", "get_detector"]
