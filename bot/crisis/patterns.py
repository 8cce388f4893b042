"""Pattern tables for the crisis detector.

Everything here is data; ``detector.py`` compiles it once into spaCy ``Matcher``
objects. Each pattern family has an ``id`` (used as ``Detection.rule`` in audit
rows), a category, a ``kind`` that tells the detector how to decide whose safety
is at stake, and one or more templates.

Template mini-language (items separated by spaces):

    word      token whose (corrected) lemma is ``word``      -> {"LEMMA": word}
    =word     token whose lower-case text is ``word``        -> {"LOWER": word}
    @name     token in word class ``@name`` (see CLASSES)    -> {"NORM": "@name"}
    %NAME     token in coarse group ``NAME`` (see GROUPS)    -> {"TAG": "NAME"}
    #num      a number-like token                            -> {"LIKE_NUM": True}
    ~N        up to N arbitrary non-punctuation tokens
    a|b|@c    alternatives (expanded into separate patterns)
    a+b|c     an alternative of several tokens ("go on" or "continue")
    item?     optional item

Word classes are used instead of spaCy ``IN`` sets because set predicates run in
Python and are an order of magnitude slower; a class is stored in the token's
NORM (fine class) and TAG (coarse group), both unused by this blank pipeline.

Family fields:
    cat        category when the person at risk is the writer
    kind       "self"     the subject/reflexive is the person at risk
                          (someone else -> third_party)
               "mention"  a topic word; counts as a statement only when a
                          person is attached by light words ("i'm suicidal",
                          "my self harm"); a bare topic is a "mention"
               "violence" X does violence to Y; the detector works out actor
                          and victim (abuse / child_abuse / harm_to_others /
                          immediate_danger / third_party)
               "victim"   passive "... was raped/is being abused"; the subject
                          is the victim
               "fixed"    category as given
    explicit   a plain, unmistakable statement
    end        the match must close its clause (end of text, punctuation, a
               conjunction or a time word), e.g. "i cut" but not "i cut my hair"
    first_only only counts when the writer is the subject
    unless     words that, anywhere in the message, cancel this family
"""

from __future__ import annotations

# ---------------------------------------------------------------------------
# Text normalisation tables
# ---------------------------------------------------------------------------

# Whole-word replacements applied before tokenising. Misspellings seen in real
# crisis messages, text-speak, and apostrophe-less contractions. Values may be
# several words. Keys are lower-case.
TYPOS: dict[str, str] = {
    # suicide / suicidal
    **{k: "suicide" for k in (
        "sucide", "suicde", "suicid", "suiside", "suiscide", "sucicide", "suecide",
        "siucide", "sucidie", "suicied", "sicide", "suicie", "suicede", "suicdie",
        "suisied", "suiced", "suisid", "suicidee", "suside", "sucid", "scuicide",
        "suicude", "suiicide", "suicife", "suicdie", "suicde", "sucuide", "suiced",
    )},
    **{k: "suicidal" for k in (
        "sucidal", "suicdal", "suicidial", "suisidal", "suicidel", "suicidle",
        "suicial", "sucidial", "suiciadal", "suicadal", "suicidall", "siucidal",
        "suucidal", "suicidaal", "suiscidal", "suicidsl", "sucicidal", "suicidl",
        "suicidak", "suicidala", "suicidal", "suicudal", "suisidial", "sucicdal",
        "suidical", "suicidial", "suecidal", "suicidsl", "scuicidal",
    )},
    # kill / killing
    "kil": "kill", "kll": "kill", "kilk": "kill", "kiil": "kill", "klil": "kill",
    "kiling": "killing", "killng": "killing", "kilng": "killing", "killin": "killing",
    "kiled": "killed", "kild": "killed",
    # myself / yourself
    **{k: "myself" for k in (
        "myslef", "mysefl", "mysef", "myselff", "mself", "myseld", "myelf", "mysel",
        "mysself", "myseff", "meself", "myselfe", "myslf", "mysrlf", "myseof", "mysefl",
        "myaelf", "mydelf", "mysekf", "mysellf",
    )},
    "urself": "yourself", "yourslef": "yourself", "yoself": "yourself", "urslf": "yourself",
    "yourselfe": "yourself", "hisself": "himself", "themself": "themselves",
    # die / dead
    "ded": "dead", "deaded": "dead", "dyin": "dying", "dieing": "dying", "diying": "dying",
    "diee": "die", "dei": "die",
    # desire / intent contractions
    "wanna": "want to", "wana": "want to", "wnna": "want to", "wannna": "want to",
    "wantto": "want to", "wanto": "want to", "wnt": "want", "wamt": "want", "wabt": "want",
    "whant": "want", "wnat": "want", "watn": "want",
    "gonna": "going to", "gona": "going to", "gunna": "going to", "finna": "going to",
    "goin": "going", "tryna": "trying to", "trynna": "trying to", "gotta": "got to",
    "hafta": "have to", "lemme": "let me", "dunno": "do not know", "kinda": "kind of",
    "sorta": "sort of", "prolly": "probably", "tho": "though",
    # contractions without apostrophes
    "im": "i'm", "iam": "i am", "ive": "i've", "id": "i'd", "dont": "don't",
    "doesnt": "doesn't", "didnt": "didn't", "cant": "can't", "wont": "won't",
    "isnt": "isn't", "arent": "aren't", "wasnt": "wasn't", "werent": "weren't",
    "havent": "haven't", "hasnt": "hasn't", "hadnt": "hadn't", "couldnt": "couldn't",
    "wouldnt": "wouldn't", "shouldnt": "shouldn't", "aint": "ain't", "youre": "you're",
    "theyre": "they're", "hes": "he's", "shes": "she's", "thats": "that's",
    "whats": "what's", "theres": "there's", "dnt": "don't", "cnt": "can't",
    "idk": "i don't know", "idc": "i don't care", "idw": "i don't want",
    "idwt": "i don't want to",
    # text-speak
    "u": "you", "ur": "your", "r": "are", "rn": "right now", "tn": "tonight",
    "2nite": "tonight", "2night": "tonight", "tonite": "tonight", "tmrw": "tomorrow",
    "tmr": "tomorrow", "tomorow": "tomorrow", "2day": "today", "b4": "before", "4ever": "forever",
    "lst": "last", "nite": "night", "b": "be", "wuld": "would", "wud": "would",
    "cud": "could", "shud": "should", "beter": "better", "bettr": "better",
    "somthing": "something", "somethin": "something", "smth": "something", "sth": "something",
    "tok": "took", "tuk": "took", "takin": "taking", "w": "with", "wit": "with", "n": "and",
    "abt": "about", "evrything": "everything", "everythin": "everything", "evry": "every",
    "hav": "have", "jus": "just", "jst": "just", "kno": "know", "noe": "know",
    "sumone": "someone", "smone": "someone", "wan": "want",
    "beets": "beats", "beet": "beat", "hitts": "hits", "agen": "again", "agian": "again",
    "nemore": "anymore", "nymore": "anymore", "h8": "hate", "imma": "i'm going to",
    "ima": "i'm going to", "gna": "going to",
    "bc": "because", "cuz": "because", "coz": "because", "cos": "because",
    "pls": "please", "plz": "please", "ppl": "people", "ngl": "not going to lie",
    "tbh": "to be honest", "istg": "i swear to god", "noone": "no one", "no1": "no one",
    "nobdy": "nobody", "anymroe": "anymore", "anymor": "anymore", "nomore": "no more",
    "lyf": "life", "lyfe": "life", "liv": "live", "alve": "alive",
    "evry1": "everyone", "every1": "everyone", "some1": "someone", "sum1": "someone",
    # slang for suicide / self-harm / overdose
    "kms": "kill myself", "kys": "kill yourself", "kmsl": "kill myself",
    "unalives": "unalive", "un-alive": "unalive", "sewerslide": "suicide",
    "sewer-slide": "suicide", "suwuicide": "suicide", "selfharm": "self harm",
    "selfharming": "self harming", "selfharmed": "self harmed", "oded": "overdosed",
    "od'd": "overdosed", "od'ed": "overdosed", "odd'd": "overdosed", "odded": "overdosed",
    "oding": "overdosing", "od'ing": "overdosing", "overdoze": "overdose",
    "overdosd": "overdosed", "overdossed": "overdosed", "ovedosed": "overdosed",
    "pils": "pills", "pillz": "pills", "tylanol": "tylenol",
    # abuse
    "abuze": "abuse", "abuzed": "abused", "abusiv": "abusive", "raiped": "raped",
    "molessted": "molested", "molestd": "molested", "hurted": "hurt",
    "cuttin": "cutting", "burnin": "burning", "livin": "living", "nothin": "nothing",
    "stepdad's": "stepdad 's", "stepdads": "stepdad",
    # people (misspelt kin words would otherwise hide who is doing what)
    "husbnd": "husband", "husbend": "husband", "husban": "husband", "hubsand": "husband",
    "boyfreind": "boyfriend", "boyfried": "boyfriend", "bofriend": "boyfriend",
    "boyfrend": "boyfriend", "girlfreind": "girlfriend", "girlfried": "girlfriend",
    "grilfriend": "girlfriend", "girlfrend": "girlfriend", "frend": "friend",
    "caretaker": "carer", "caregiver": "carer",
    "freind": "friend", "frnd": "friend", "freinds": "friends", "frends": "friends",
    "daugher": "daughter", "dauther": "daughter", "dauhgter": "daughter", "brothr": "brother",
    "sistr": "sister", "sistet": "sister", "stepdda": "stepdad", "parnets": "parents",
    "parrents": "parents", "bestfriend": "best friend", "bff": "best friend",
    "comit": "commit", "commited": "committed", "comitted": "committed",
}

# Rewrites applied before single words are repaired (so "w/o" is not read as "w").
PRE_FIXES: list[tuple[str, str, str]] = [
    ("/", r"\bw/o\b", "without"),
    ("/", r"\bb/c\b", "because"),
    ("/", r"\bw/(?=\s|[a-z])", "with "),
]

# Multi-word / context-sensitive rewrites: (needle, regex, replacement), applied
# in order; the regex runs only when the needle occurs in " " + text + " "
# (a cheap substring test on long texts).
PHRASE_FIXES: list[tuple[str, str, str]] = [
    (" sel", r"\b(my|him|her|them|your|it) (self|selves)\b", r"\1\2"),
    ("self", r"\bself[-\s]?(harm|injur|mutilat|hurt|delet)", r"self \1"),
    ("n alive", r"\bun[-\s]alive", "unalive"),
    ("n-alive", r"\bun[-\s]alive", "unalive"),
    ("r dos", r"\bover[-\s]dos", "overdos"),
    ("r-dos", r"\bover[-\s]dos", "overdos"),
    ("any more", r"\bany more\b", "anymore"),
    # "dye" is a frequent misspelling of "die", but not when something is dyed.
    (" dye", r"\bdye\b(?!\s+(?:my|her|his|their|your|our|the|it|them|this|that|a|an|some|"
     r"hair|clothes|shirt|eggs|fabric|yarn|wool|easter|beard|roots|brows|eyebrows|"
     r"for|with|job|color|colour|pink|blue|red|black|blonde|purple|green))", "die"),
    # "ill" before a verb is "i'll" ("ill kill myself"), otherwise it is "ill".
    (" ill ", r"\bill (?=(?:just|probably|definitely|actually|really|finally|never|not|be|kill|"
     r"end|do|hurt|cut|take|jump|die|go|make|try|get|have|shoot|hang|overdose|unalive|"
     r"off|stab|burn|see|miss|leave|say|write|give|tell|call|run|drown|swallow)\b)", "i'll "),
    (" i m ", r"\bi m\b", "i'm"),
    ("n t ", r"\b(don|can|won|didn|doesn|isn|wasn|couldn|wouldn|shouldn|haven|aren) t\b", r"\1't"),
    (" 2 ", r"\b(want|wanna|going|need|have|got|trying|try|ready|deserve|how|way|plan|planning) 2 ",
     r"\1 to "),
    ("for ever", r"\bfor ever\b", "forever"),
    ("rapped", r"\b(was|got|been|being|get|gets) rapped\b", r"\1 raped"),
    ("rapped", r"\brapped me\b", "raped me"),
    ("no one", r"\bno one\b", "noone"),
    # "my SI is bad": suicidal ideation
    (" si ", r"\b(my|having|have|had|the|bad|with|passive|active) si\b", r"\1 suicidal ideation"),
    (" 2 ", r"\b(tried|try|trying|attempted|wanted|wants|going|about) 2 ", r"\1 to "),
    (" 2 ", r"\b(in|on) 2 ", r"\1to "),
]

# Emoji that carry meaning are turned into words; the rest are only separated
# from neighbouring words so "die😭" still reads as "die".
EMOJI_WORDS: dict[str, str] = {
    "🔪": "knife", "🗡": "knife", "🔫": "gun", "💊": "pill", "🩸": "blood",
    "⚰": "coffin", "🪦": "grave", "🪢": "rope",
    # laughter: marks hyperbole ("i'm dead 😂")
    "😂": "lol", "🤣": "lol", "😹": "lol", "😆": "lol", "😅": "lol", "💀": "lol",
}

# ---------------------------------------------------------------------------
# Lemma corrections (the lookup lemmatizer's quirks, contraction pieces)
# ---------------------------------------------------------------------------

LEMMA_FIX: dict[str, str] = {
    "dying": "die", "dyin": "die", "died": "die",
    "better": "better", "best": "best",  # lookup table says "well"/"good"
    "ca": "can", "wo": "will", "nt": "not", "n't": "not", "'ll": "will", "ll": "will",
    "'d": "would", "d": "would", "'re": "be", "re": "be", "'m": "be", "m": "be",
    "'s": "be", "s": "be", "'ve": "have", "ve": "have", "gon": "go",
    "lives": "life", "thoughts": "thought", "meds": "med", "clothes": "clothes",
    "scared": "scared", "unalived": "unalive", "unaliving": "unalive",
    "anymore": "anymore", "tried": "try", "kids": "kid",
}

# ---------------------------------------------------------------------------
# Word classes: name -> (coarse group or None, lemmas). A lemma belongs to one
# class at most. Surface-form classes (matched on the lower-case text, not the
# lemma) are in SURFACE_CLASSES.
# ---------------------------------------------------------------------------

CLASSES: dict[str, tuple[str | None, tuple[str, ...]]] = {
    # death
    "@die": (None, ("die", "dead", "perish", "croak")),
    # verbs that can take "myself" to mean suicide
    "@kill": ("VIOL", (
        "kill", "murder", "unalive", "hang", "shoot", "drown", "suffocate",
        "poison", "electrocute", "asphyxiate",
    )),
    # words that mean suicide only with "myself" ("off myself", "end myself")
    "@killself": (None, ("off", "end", "delete", "gas", "neck")),
    # physical violence (to self or others)
    "@hurtv": ("VIOL", (
        "hurt", "harm", "hit", "punch", "kick", "slap", "smack", "beat", "choke",
        "strangle", "stab", "cut", "burn", "attack", "assault", "batter", "whip",
        "bite", "throttle", "smother", "shove", "slice", "slash", "slit", "carve",
        "scratch", "injure", "mutilate", "bruise", "scald", "scar",
    )),
    # sexual / abusive acts
    "@abusev": ("VIOL", (
        "abuse", "rape", "molest", "grope", "fondle", "torture", "sodomize", "stalk",
    )),
    "@refl1": ("REFL", ("myself",)),
    "@refl3": ("REFL", ("himself", "herself", "themselves", "themself", "theirself")),
    "@refl2": ("REFL", ("yourself", "yourselves")),
    # people
    "@partner": ("PERSON", (
        "husband", "wife", "boyfriend", "girlfriend", "bf", "gf", "partner", "spouse",
        "fiance", "fiancee", "fiancé", "hubby", "wifey", "ex", "lover", "bae",
    )),
    "@parent": ("PERSON", (
        "mom", "mum", "mother", "mommy", "mummy", "mama", "momma", "dad", "father",
        "daddy", "papa", "stepdad", "stepmom", "stepmum", "stepfather", "stepmother",
        "parent", "stepparent", "guardian", "grandma", "grandpa", "grandmother",
        "grandfather", "granddad", "grandad", "granny", "nana", "uncle", "aunt",
        "auntie", "godfather", "godmother",
    )),
    "@child": ("PERSON", (
        "son", "daughter", "kid", "child", "baby", "toddler", "infant", "newborn",
        "stepson", "stepdaughter", "grandson", "granddaughter", "nephew", "niece",
        "grandchild", "grandkid", "boy", "girl", "preschooler",
    )),
    "@sib": ("PERSON", (
        "brother", "sister", "sibling", "stepbrother", "stepsister", "bro", "sis",
        "cousin", "twin",
    )),
    "@friend": ("PERSON", (
        "friend", "bestie", "bff", "buddy", "pal", "roommate", "flatmate", "housemate",
        "classmate", "coworker", "colleague", "boss", "manager", "teacher", "coach",
        "neighbor", "neighbour", "teammate", "student", "client", "patient", "teen",
        "teenager", "acquaintance", "crush", "babysitter", "nanny", "tutor", "priest",
        "pastor", "supervisor", "landlord", "stranger", "guy", "man", "woman", "lady",
        "dude", "therapist", "counselor", "counsellor", "doctor", "mate", "carer", "nurse",
        "aide", "staff", "worker", "employer", "officer", "roomie",
    )),
    "@someone": ("PERSON", ("someone", "somebody", "anyone", "anybody", "intruder")),
    "@people": ("PERSON", ("people", "everyone", "everybody", "person")),
    "@he": ("PRON3", ("he", "she", "they")),
    "@him": ("PRON3", ("him", "her", "them")),
    # adjectives that sit between a determiner and a person ("my little sister")
    "@padj": (None, ("little", "younger", "older", "big", "new", "own", "best", "poor",
                     "elderly", "disabled", "teenage", "teen-aged", "step")),
    "@det": (None, (
        "the", "a", "an", "this", "that", "these", "those", "our", "your", "his",
        "their", "my", "some",
    )),
    "@neg": (None, ("not", "never", "no", "nor")),
    "@be": (None, ("be",)),
    "@modal": (None, ("can", "could", "would", "will", "might", "may", "should", "must", "shall")),
    "@intent": (None, (
        "want", "need", "deserve", "wish", "hope", "plan", "decide", "prepare", "ready",
        "long", "crave", "desire", "yearn", "choose", "intend",
    )),
    "@reason": (None, ("reason", "point", "purpose", "motivation", "use")),
    "@prep": (None, ("to", "in", "of", "for")),
    "@live": (None, ("live", "life", "exist", "existence", "alive")),
    "@weapon": (None, (
        "gun", "knife", "weapon", "rifle", "pistol", "firearm", "shotgun", "handgun",
        "machete", "axe", "revolver", "blade", "razor", "bat", "crowbar", "hammer",
    )),
    # rough handling that is violence when done to a person ("pinned me to the wall")
    "@roughv": ("VIOL", ("push", "throw", "pin", "grab", "shake", "drop", "slam", "yank", "starve")),
    "@pill": (None, (
        "pill", "tablet", "med", "medication", "medicine", "painkiller", "tylenol",
        "paracetamol", "acetaminophen", "ibuprofen", "advil", "aspirin", "xanax",
        "benadryl", "insulin", "antidepressant", "sertraline", "zoloft", "prozac",
        "fluoxetine", "lexapro", "citalopram", "seroquel", "quetiapine", "oxy",
        "oxycodone", "opioid", "percocet", "vicodin", "hydrocodone", "morphine",
        "fentanyl", "lithium", "melatonin", "nyquil", "unisom", "diphenhydramine",
        "valium", "diazepam", "klonopin", "clonazepam", "ambien", "zolpidem",
        "trazodone", "amitriptyline", "codeine", "tramadol", "adderall", "lorazepam",
        "ativan", "gabapentin", "drug", "capsule", "prescription", "benzo", "opiate",
    )),
    "@qty": (None, (
        "lot", "bunch", "handful", "bottle", "box", "pack", "packet", "strip", "load",
        "ton", "heap", "whole", "entire", "many", "lots", "several",
        "dozen", "hundred", "fistful", "jar", "blister", "stash", "bag",
    )),
    "@height": (None, (
        "bridge", "building", "roof", "rooftop", "cliff", "balcony", "ledge",
        "overpass", "tower", "skyscraper", "railing", "edge",
    )),
    "@vehicle": (None, ("train", "car", "bus", "truck", "lorry", "subway", "tram", "traffic", "metro")),
    "@home": (None, (
        "house", "home", "apartment", "flat", "room", "bedroom", "place", "dorm",
        "door", "window", "garage", "basement",
    )),
    "@body": (None, (
        "arm", "wrist", "thigh", "leg", "skin", "stomach", "hip", "forearm", "flesh",
        "body", "ankle", "belly", "chest", "vein", "throat",
    )),
    "@belong": (None, ("belonging", "possession", "stuff", "thing", "clothes", "item", "valuables")),
    "@waysup": (None, (
        "painless", "easiest", "quickest", "fastest", "surest", "peaceful",
        "easy", "quick", "simplest", "cleanest", "painlessly", "effective",
    )),
    "@way": (None, ("way", "method")),
}

# Classes keyed by lower-case surface form (tense matters here: "took" is a
# past overdose, "take" is a plan).
SURFACE_CLASSES: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "@took": (None, (
        "took", "taken", "swallowed", "downed", "ate", "eaten", "popped", "chugged",
        "drank", "drunk", "ingested", "consumed", "snorted", "injected", "swallowing",
        "overdosed",
    )),
}

# ---------------------------------------------------------------------------
# Pattern families
# ---------------------------------------------------------------------------

REFL = "%REFL"
COMP = "=better|=easier|=happier|=simpler|=nicer|=fine|=lighter"
DAYS = "=weekend|=week|=month|=friday|=saturday|=sunday|=monday|=tuesday|=wednesday|=thursday|=christmas|=birthday|=year|=summer"
PERSON_OBJ = "@det? @him? @padj? %PERSON"
# "my|his|her|their" possessive before a body/life noun
POSS = "=my|=his|=her|=their|=our"
# "like this" / "anymore" style closers for "can't go on"
ANYMORE = "=anymore|=any+=more|=any+=longer|=no+=more"

FAMILIES: list[dict] = [
    # ======================= SUICIDE =======================
    # "kill myself" and its methods and slang ("unalive", "off myself", "hang myself").
    dict(id="suicide.kill_self", cat="suicide", kind="self", explicit=True, templates=[
        f"@kill|@killself {REFL}", "unalive", "=ctb", "self delete", "=sewerslide",
        f"take {POSS}|@det =own? life",
    ]),
    # "end my life", "end it all": ending life said plainly.
    dict(id="suicide.end_life", cat="suicide", kind="self", explicit=True, templates=[
        f"end {POSS} =own? life|=existence",
        "end =it =all", "end =everything",
        "end =it =tonight|=today|=now|=soon|=forever|=permanently|=for+=good|=once+=and+=for+=all",
        "end =this =life|=existence",
        f"end =it|=everything|=things =this|=next|=on|=by|=before|=after {DAYS}",
        "@intent|=decided|=planning|=plan|=going+=to|=ready =to end =it|=everything",
    ]),
    # Bare "end it"/"end things" closing a clause: ambiguous, so weak and
    # cancelled by relationship or work talk.
    dict(id="suicide.end_it", cat="suicide", kind="self", explicit=False, end=True,
         unless=("relationship", "breakup", "dating", "marriage", "married", "divorce",
                 "boyfriend", "girlfriend", "bf", "gf", "husband", "wife", "partner",
                 "fiance", "engagement", "contract", "lease", "subscription", "friendship",
                 "job", "call", "conversation", "meeting", "argument", "game", "season",
                 "series", "chapter", "story", "book", "show", "account", "membership"),
         templates=["end =it|=things", "end =it+=all"]),
    dict(id="suicide.commit", cat="suicide", kind="self", explicit=True, templates=[
        "commit suicide", "=considering|=contemplating|=planning|=plan suicide",
        "=thinking|=think|=thought =about|=of suicide",
    ]),
    # "suicidal" / "suicide" as topic words; a statement only when tied to a person.
    dict(id="suicide.suicidal", cat="suicide", kind="mention", explicit=True, templates=[
        "suicidal", "=suicidality", "feel|@be|=so|=very|=really|=lowkey =sui",
        "=suicide =thoughts|=thought|=ideation|=urges|=urge|=feelings|=plan|=plans|=pact",
    ]),
    dict(id="suicide.topic", cat="suicide", kind="mention", explicit=False, templates=["suicide"]),
    # Wanting death: "want to die", "deserve to die", "i want death".
    dict(id="suicide.want_die", cat="suicide", kind="self", explicit=True, subj="nearest", templates=[
        "@intent to? @be? @die", "@intent =for? =death", "=longing|=long =for =death",
        "feel like @die", "=ready =for =death",
    ]),
    dict(id="suicide.why_cant_die", cat="suicide", kind="self", explicit=False, templates=[
        "=why can @neg i =just? @die", "=why @be =i =still =alive|=here",
        "can @neg =wait =to @die",
        "@neg =care|=caring =if|=whether|=about i? @live|@die|=wake|=living|@be+@die|@be+=alive",
        "=stopped =caring =if|=whether|=about i? @live|@die|=wake|=living|@be+@die|@be+=alive",
    ]),
    # "part of me hopes i don't" (wake up, survive) closing the clause.
    dict(id="suicide.hope_not", cat="suicide", kind="self", explicit=False, end=True, templates=[
        "wish|hope|pray i do|@modal @neg", "wish|hope|pray i @neg",
    ]),
    # "i'd rather die" is often hyperbole ("rather die than go to that party"),
    # so weak; "rather die than live like this" is its own strong family.
    dict(id="suicide.rather_die", cat="suicide", kind="self", explicit=False, templates=[
        "=rather @be? @die", "=rather @neg =exist|=be+=alive|=live",
    ]),
    dict(id="suicide.rather_die_than_live", cat="suicide", kind="self", explicit=True, templates=[
        "=rather @be? @die =than =live|=living|=keep|=go+=on|=continue|=feel|=face|=be|=spend|=wake|=exist",
    ]),
    # Passive wishes: "wish i was dead", "hope i don't wake up", "wish i was never born".
    dict(id="suicide.wish_dead", cat="suicide", kind="self", explicit=True, templates=[
        "wish|pray|hope i|@he @modal? =just? @modal? @die",
        "wish|pray|hope i|@he @modal? =just? @be @die",
        "wish|pray|hope i|@he ~3 @neg|=never ~2 =born|=alive|=exist|=existed|=existing|=wake|=woke|=around",
        "wish|pray|hope ~4 =kill|=kills me",
        "wish|pray|hope @someone|=something @modal|=to =just? @kill me",
        "@intent @someone|=something =to @kill me",
        "wish|hope|pray ~3 =hit =by =a|=the? @vehicle",
    ]),
    dict(id="suicide.never_wake", cat="suicide", kind="self", explicit=True, templates=[
        "sleep|=asleep =and =never|@neg ~2 =wake", "sleep =forever|=permanently",
        "=eternal|=permanent|=endless sleep", "@neg want to =wake",
        "=never =wake =up =again",
    ]),
    # Negation that IS the crisis: "don't want to live", "no reason to live".
    dict(id="suicide.no_will_to_live", cat="suicide", kind="self", explicit=True, templates=[
        "@neg =longer? want|=wish to =live|=exist|=survive",
        "@neg =longer? want to @be =alive|=around|=living",
        f"@neg =longer? want to @be =here {ANYMORE}|=on+=this+=earth|=in+=this+=world",
        f"@neg =longer? want =this|=my =life {ANYMORE}?",
        "@neg|=nothing @reason @prep? @be? @live", "=nothing =left? to =live =for",
        "@neg @reason @prep =me =being =here|=alive|=around|=living",
        "@neg @reason @prep? =keep+=going|=keep+=living|=go+=on|=going+=on|=carry+=on",
        "@neg =see|=find @det? @reason @prep? @be? @live",
        "@neg =see|=find @det? @reason @prep =keep+=going|=go+=on|=carry+=on|=continue|=stay|=keep+=living",
        "what @be =even? =the @reason =anymore|=of+=anything|=in+=anything|=of+=it+=all|=of+=trying|=in+=trying|=of+=going+=on",
        "what @be =the @reason @prep @be? @live|=going+=on",
        "life @be @neg =worth =living|=it", "=not =worth =living",
        "=tired|=sick|=exhausted|=done|=weary @prep|=with =my? @be? @live|=breathing",
        "=hate @be|=being =alive|=existing", "=hate =existing|=living",
        "=give =up =on =life|=living", "=stop|=cease =existing", "=cease =to =exist",
        "@neg =will =to =live",
    ]),
    dict(id="suicide.whats_the_point", cat="suicide", kind="self", explicit=False, end=True, templates=[
        "what @be =even? =the @reason", "=no @reason =anymore",
    ]),
    dict(id="suicide.not_here", cat="suicide", kind="self", explicit=False, end=True, templates=[
        "@neg =going =to @be =here|=around|=alive", "will @neg @be =here|=around|=alive",
        "@neg =longer? want to @be =here",
        "@neg =longer? want to =go+=on|=continue|=keep+=going|=keep+=living|=carry+=on",
    ]),
    dict(id="suicide.cant_go_on", cat="suicide", kind="self", explicit=False, templates=[
        f"can @neg =longer? =go+=on|=keep+=going|=keep+=living|=carry+=on|=continue|=cope|@be+=here {ANYMORE}|=like+=this|=living",
        f"can @neg =longer? =live =like+=this|{ANYMORE}",
        f"can @neg =longer? =do|=take|=handle|=bear|=stand =this|=it|=life {ANYMORE}",
        "@neg =think i can =go+=on|=keep+=going|=survive|=make+=it|=last|=hold+=on|=do+=this|=take+=it|=carry+=on",
        "=how =much? =longer i can =go+=on|=keep+=going|=do+=this|=take+=it|=hold+=on|=last|=survive|=carry+=on",
        "life @be =too =hard|=painful|=much", "life @be =pointless|=meaningless|=unbearable|=hopeless",
        "=know|=sure|=unsure|=wonder|=wondering|=question|=questioning =if|=whether|=why? i ~1 want to =live|=exist|=keep+=going|=go+=on|@be+=alive",
        "@neg =think i ~1 want to =live|=exist|=keep+=going|=go+=on|@be+=alive",
    ]),
    dict(id="suicide.cant_go_on_end", cat="suicide", kind="self", explicit=False, end=True, templates=[
        "can @neg =longer? =go+=on|=continue|=carry+=on|=keep+=going|=do+=this|=do+=it",
    ]),
    dict(id="suicide.better_off", cat="suicide", kind="self", explicit=True, templates=[
        "better =off @die", "better =off =not =alive|=existing|=here",
        f"{COMP} =off? =without me|=me+=around|=me+=here",
        f"{COMP} =off? =if|=when i =just? @be @die|=gone",
        f"{COMP} =off? =if i ~2 @neg|=never ~2 =exist|=existed|=born|=here|=around|=alive|=in",
        "=thinks|=says|=said|=saying|=feels|=believes|=told|=tells|=think|=keeps|=posted|=wrote|=texted ~6 better =off? =without @him",
    ]),
    dict(id="suicide.burden", cat="suicide", kind="self", explicit=False, first_only=True, templates=[
        "@be =such? =a =huge|=big|=total|=constant? burden", "feel =like =such? =a burden",
    ]),
    dict(id="suicide.goodbye", cat="suicide", kind="self", explicit=False, templates=[
        "=final|=last goodbye", "goodbye =forever|=world|=cruel|=everyone",
        "=this @be goodbye", "=my goodbye",
        "=say|=saying goodbye =to =everyone|=everybody|=all|=the+=world",
        "goodbye|suicide =note|=letter|=letters|=message|=text|=video|=post|=pic|=picture|=photo|=selfie|=voicemail|=email|=voice+=note",
        "=texted|=sent|=said|=messaged|=wrote|=posted|=left|=text|=texting ~2 goodbye",
        "=saying|=said|=says|=weird|=strange|=odd|=random =weird|=strange|=odd|=final|=random? goodbye",
        "=write|=wrote|=writing|=written|=left|=leaving =a? =note|=letter|=letters =for|=to =my|=everyone",
    ]),
    dict(id="suicide.belongings", cat="suicide", kind="self", explicit=False,
         unless=("donate", "donating", "donated", "charity", "goodwill", "moving", "move",
                 "declutter", "decluttering", "minimalist", "minimalism", "sale", "thrift",
                 "outgrew", "spring"),
         templates=[
             f"give =away =all? =of? {POSS} @belong", f"give =all? {POSS} @belong =away",
             "=take+=care+=of|=get =my ~2 =when|=after|=once i @be =gone",
         ]),
    dict(id="suicide.gone", cat="suicide", kind="self", explicit=False, templates=[
        "=when|=after|=once i @be =gone =for+=good|=forever",
        "@neg =going+=to? @be =around|=here|=alive =much+=longer|=for+=long|=any+=longer|=long+=enough|=to+=see|=for+=much+=longer",
        "@neg =plan|=planning|=expect|=expecting|=intend =on|=to =being|=be =around|=alive",
        "@neg =plan|=planning|=expect|=expecting|=intend =on|=to =being|=be =here =by|=much+=longer|=past|=to+=see",
        "will @neg =need ~3 =where i @be =going",
        "will @neg =need =them|=it|=anything|=these|=those|=this|=that|=money|=my+@belong ~2 =anymore|=much+=longer|=for+=long|=soon|=where|=after+=i",
        "@neg @be =a burden =much? =longer|=anymore",
        "@be =gone =soon|=forever", "=all @be =over =soon",
    ]),
    dict(id="suicide.means", cat="suicide", kind="self", explicit=True, templates=[
        "=enough @pill ~2 to @kill|@die|=overdose|=od|=end",
        "@waysup|=best @way to|=of? @die", f"@waysup|=best @way to @kill|@killself {REFL}",
        "@waysup|=best @way to end =it|=my+=life", "@waysup|=best @way to =commit",
        f"how to @kill|@killself {REFL}", "=how =many|=much @pill ~4 to? @die|@kill|=overdose|=od",
        "=how =many|=much @pill ~4 @be =lethal|=fatal|=deadly",
        "=how =many|=much ~1 @pill ~3 =it+=takes|=would+=it+=take|=does+=it+=take|=would+=kill|=will+=kill|=to+=kill",
        "@intent|=going|=about|=thinking|=planning|=plan ~2 to? =overdose|=overdosing|=od",
        "=slit|=slice|=slash|=open @det? =wrists|=wrist|=throat|=veins|=vein",
        "=gun =to|=in =my =head|=mouth|=temple", "=pull =the =trigger",
        "=tie|=tied|=tying|=made|=make|=making|=bought|=buy|=have|=got =a|=the =noose", "noose",
        "@intent to =rope",
    ]),
    dict(id="suicide.lethal_dose", cat="suicide", kind="self", explicit=False,
         unless=("cat", "dog", "pet", "puppy", "kitten", "cats", "dogs", "pets", "horse", "bird"),
         templates=["=lethal|=fatal|=deadly =dose|=amount|=dosage|=overdose"]),
    # "take all my pills" said as a plan; adherence talk cancels it.
    dict(id="suicide.take_all", cat="suicide", kind="self", explicit=True,
         unless=("prescribed", "usual", "morning", "daily", "schedule", "routine", "forgot",
                 "remember", "remembered", "supposed", "always", "normal", "normally", "vitamins",
                 "doctor", "pharmacist"),
         templates=["take|=swallow|=down =all =of? =my|=the @pill",
                    "take|=swallow|=down @det? =whole =bottle|=box|=pack",
                    "take|=swallow ~2 @qty =of? @pill"]),
    dict(id="suicide.means_weak", cat="suicide", kind="self", explicit=False,
         unless=("accidentally", "accident", "accidental", "pool", "trampoline", "lake"),
         templates=[
             "jump|=throw|=step|=walk|=lie|=lay =myself? =off|=from @det? @height",
             "jump|=throw|=step|=walk|=lie|=lay =myself? =in+=front+=of @det? @vehicle",
             "jump|=throw|=step|=walk|=lie|=lay =myself? =onto|=into =the? =tracks|@vehicle",
             "=standing|=stood|=sitting|=sat|@be =on =top+=of? =the|=a @height",
             "=walk|=run|=step|=walking|=stepping ~2 =into =traffic|=the+=ocean|=the+=sea|=the+=river|=the+=lake",
             "=drive|=driving|=crash|=crashing|=steer|=swerve|=swerving ~3 =into|=off =a|=the =tree|=wall|=bridge|=cliff|=traffic|=truck|=oncoming",
             "=drink|=swallow|=drinking|=swallowing =bleach|=poison|=antifreeze",
             "how to @die", "=yeet =myself =off",
         ]),
    dict(id="suicide.means_hoard", cat="suicide", kind="self", explicit=False, templates=[
        "=saving|=saved|=stockpiling|=stockpiled|=hoarding|=hoarded|=collecting|=collected|=stashing|=stashed ~3 @pill",
        "@die =painlessly|=peacefully|=quickly",
    ]),
    dict(id="suicide.thoughts", cat="suicide", kind="self", explicit=False, templates=[
        "think|=thinking|=thought|=thoughts|fantasize|=dream|=dreaming|=obsess|=obsessing =about|=of @die|=death",
        "=think|=thinking|=thought|=thoughts|fantasize|=dream|=dreaming =about|=of =ending+=it|=ending+=my+=life|=not+=waking|=not+=existing|=not+=being+=here",
        "=dark =thoughts|=thought", "=thoughts =of|=about =death|@die",
        "=fantasize|=fantasizing|=fantasise|=fantasising|=dream|=dreaming|=thinking|=imagine|=imagining|=planning ~1 =about|=of =my =own? =funeral|=death|=grave",
    ]),
    dict(id="suicide.want_it_over", cat="suicide", kind="self", explicit=False, templates=[
        "=no =future =for =me", "=nothing|=no|=nobody =left =for =me",
        "=want =out =of =this? =life|=this+=world|=existence",
        "=pain =to =stop|=end =forever|=for+=good|=permanently",
        "@pill|=rope|=noose|@weapon ~2 =next+=to+=me|=in+=my+=hand|=in+=front+=of+=me|=beside+=me|=in+=my+=lap|=on+=my+=lap",
        "=rope|=noose|@pill|@weapon @be? =ready", "=see|=have|=imagine =a|=any =future =for =myself|=for+=me",
        "@neg =see =myself|=me =making|=living|=surviving|=lasting|=getting|=being+=alive|=being+=here|=being+=around|=growing+=old",
        "@neg ~3 =make|=making =it =to|=past|=until|=till|=through ~2 =birthday|=christmas|=summer|=year|=spring|=winter|=graduation|=holidays|=weekend|=tomorrow|=morning|=friday|=18|=thirty|=30",
        "=leave|=leaving|=depart|=departing|=exit|=exiting|=left =this =world|=earth|=planet|=life",
        "=log|=logging|=sign|=signing =off|=out =permanently|=forever|=for+=good|=for+=real|=of+=life",
        "=game =over =for =me", "=see =you =on =the =other =side", "=only =way =out|=option|=escape",
        "=permanent =solution", "=easy =way =out",
        "=nobody|=noone =would|=will ~2 =miss =me",
        "=nobody|=noone =would|=will ~2 =notice|=care =if|=when i =died|=disappeared|=vanished|=was+=gone|=wasn't+=here|=wasn't+=around|=killed+=myself",
    ]),
    dict(id="suicide.want_it_over_end", cat="suicide", kind="self", explicit=False, end=True, templates=[
        "want =it+=all|=everything|=all+=of+=this|=this+=all|=it =to =end|=stop|=be+=over",
    ]),
    # "if i disappeared/died ..." with "nobody would notice", "they'd be relieved"
    dict(id="suicide.if_i_died", cat="suicide", kind="self", explicit=False,
         needs=("nobody", "noone", "care", "notice", "miss", "relieved", "better", "fine",
                "happier", "easier", "cares", "cared", "noticed", "missed"),
         templates=[
             "=if|=when i =disappeared|=vanished|=died|=disappear|=die|=was+=gone|=were+=gone|=wasn't+=here|=weren't+=here|=didn't+=exist|=killed+=myself|=wasn't+=around",
         ]),
    dict(id="suicide.do_it", cat="suicide", kind="self", explicit=False,
         unless=("gym", "run", "workout", "homework", "essay", "project", "study", "studying",
                 "clean", "cleaning", "laundry", "exam", "assignment", "schedule", "week", "monday",
                 "tuesday", "wednesday", "thursday", "friday"),
         needs=("plan", "decided", "ready", "goodbye", "note", "pills", "rope", "end", "die", "life",
                "peace", "gun", "bridge"),
         templates=["@be =going =to =do =it =tonight|=today|=soon|=now|=tomorrow|=this+=weekend"]),
    dict(id="suicide.how_id_do_it", cat="suicide", kind="self", explicit=False, end=True, templates=[
        "think|=thinking|=thought|=planning|=plan|=imagine|=imagining|=picture|=picturing =about? =how i @modal|='d =do+=it|=end+=it|=end+=things|=go|=die",
    ]),
    dict(id="suicide.in_front_of", cat="suicide", kind="self", explicit=False,
         needs=("train", "bus", "car", "truck", "traffic", "subway", "tram", "station", "tracks",
                "lorry", "platform"),
         templates=["=step|=stepping|=jump|=jumping|=throw|=throwing|=walk|=walking|=lie|=lying =myself? =in =front =of"]),
    dict(id="suicide.heights", cat="suicide", kind="self", explicit=False, templates=[
        "=tallest|=highest @height =near =me|=nearby|=around+=here|=in+=my+=city|=in+=town",
    ]),
    dict(id="suicide.set_date", cat="suicide", kind="self", explicit=False, templates=[
        "=picked|=chosen|=chose|=set|=decided+=on =the|=a|=my =day|=date|=night ~3 =going+=to+=do+=it|=to+=do+=it|=end+=it|=to+=go|=to+=die|=do+=it",
    ]),
    dict(id="suicide.if_gone", cat="suicide", kind="self", explicit=False,
         needs=("fault", "sorry", "love", "know", "goodbye", "forgive", "remember", "miss"),
         templates=["=if|=when i @be =gone|=not+=here|=dead =tomorrow|=soon|=tonight|=by"]),
    # "made my peace with it" alongside a plan
    dict(id="suicide.made_peace", cat="suicide", kind="self", explicit=False,
         needs=("going", "plan", "decided", "decision", "ready", "tonight", "goodbye", "soon"),
         templates=["=made =my? =peace =with =it|=dying|=death|=everything|=leaving|=that"]),
    dict(id="suicide.no_future", cat="suicide", kind="self", explicit=False, first_only=True, templates=[
        "can|do @neg =see =a|=any =future",
    ]),
    dict(id="suicide.method_seek", cat="suicide", kind="self", explicit=False,
         needs=("hurt", "hurts", "pain", "painless", "painlessly", "quick", "quickly", "peaceful",
                "peacefully", "researching", "research", "googling", "googled", "searched",
                "lethal", "easiest", "fastest", "quickest", "surest"),
         templates=[
             "@way|@waysup|=best ~1 to =go|@die|=end+=it|=do+=it|=check+=out",
             "=researching|=research|=googling|=googled|=searching|=searched|=looked+=up|=looking+=up ~3 =how =to @die|@kill|=overdose|=end",
         ]),
    # putting affairs in order
    dict(id="suicide.affairs", cat="suicide", kind="self", explicit=False,
         needs=("after", "gone", "nobody", "noone", "anymore", "goodbye", "behind", "burden", "won't",
                "sorry"),
         templates=[
             "=sort|=sorting|=sorted|=write|=writing|=wrote|=written|=make|=making|=made|=update|=updating|=updated|=finish|=finishing|=finished =out? =my =will",
             "=cancel|=cancelling|=canceling|=cancelled|=canceled =my|=all =subscriptions|=accounts|=memberships",
             "=affairs =in =order",
         ]),
    dict(id="suicide.socials", cat="suicide", kind="self", explicit=False,
         needs=("goodbye", "bye", "other", "side", "gone", "forever", "note", "sorry", "worried",
                "weird", "answering", "responding", "scared", "worrying"),
         templates=["=deleted|=deleting|=deactivated|=deactivating|=wiped ~2 =socials|=accounts|=social+=media|=instagram|=facebook|=profiles|=profile"]),
    dict(id="suicide.ready_to_go", cat="suicide", kind="self", explicit=False,
         needs=("stopped", "eating", "tired", "living", "life", "done", "anymore", "die", "death",
                "dying", "goodbye", "peace", "heaven", "grandma", "grandpa", "god"),
         end=True, templates=["@be =ready =to =go|=die|=be+=with"]),
    # not being able to keep oneself safe
    dict(id="suicide.unsafe_self", cat="suicide", kind="self", explicit=False, templates=[
        "@neg ~3 =keep =myself =safe", "=not =safe =from|=with|=around =myself", "=danger =to =myself",
        "@neg =trust =myself =tonight|=right+=now|=anymore|=alone|=around+@weapon|=around+@pill|=with+@pill|=with+@weapon|=not+=to",
    ]),
    dict(id="suicide.unsafe_self_end", cat="suicide", kind="self", explicit=False, end=True, templates=[
        "@neg =trust =myself",
    ]),
    dict(id="suicide.disappear", cat="suicide", kind="self", explicit=False, first_only=True, templates=[
        "@intent to? =just? =disappear|=vanish", "wish i ~2 =disappear|=vanish",
    ]),
    # Someone asking for a crisis line is treated as at risk.
    dict(id="suicide.crisis_line", cat="suicide", kind="self", explicit=False, templates=[
        "call|=called|=calling|=text|=texted|=texting|=contact|=contacted|=number ~3 =suicide|=crisis =hotline|=helpline|=line|=lifeline",
        "=988",
    ]),

    # ======================= SELF-HARM =======================
    dict(id="self_harm.self", cat="self_harm", kind="self", explicit=True,
         unless=("accidentally", "accident", "shaving", "shave", "cooking", "chopping",
                 "oven", "stove", "sunburn", "sunburnt", "sunburned", "kettle", "baking"),
         templates=[f"@hurtv {REFL}", f"@weapon {REFL}", f"=make|=making|=made {REFL} =bleed"]),
    dict(id="self_harm.topic", cat="self_harm", kind="mention", explicit=True, templates=[
        "self harm", "self =harming|=harmed|=harmer", "self injury|=injuring|=injure|=injured",
        "self =mutilation|=mutilate|=mutilating", "=nssi",
        "=sh =urge|=urges|=again|=relapse|=scars|=scar|=wounds|=cuts|=tools|=kit|=free|=clean",
        "relapse|=relapsed|=relapsing ~2 =on|=into =sh", "=i|=my|=did|=do =sh",
    ]),
    dict(id="self_harm.again", cat="self_harm", kind="self", explicit=True, needs_subject=True, templates=[
        "cut|burn|hurt|harm|scratch|carve =again",
        "=started|=start|=starting|=began =cutting|=burning|=harming =again?",
    ]),
    dict(id="self_harm.cutting", cat="self_harm", kind="self", explicit=False, end=True, needs_subject=True,
         unless=("accidentally", "accident", "shaving", "shave", "cooking", "chopping",
                 "oven", "stove", "sunburn", "kettle", "baking"),
         templates=[
             "@be|=keep|=started|=still|=been =cutting|=burning",
             "i =cut|=burned|=burnt =last+=night|=tonight|=today|=yesterday|=earlier|=again",
             "i =cut|=burn", "@he|%PERSON =cuts|=burns",
         ]),
    dict(id="self_harm.body", cat="self_harm", kind="self", explicit=True,
         unless=("accidentally", "accident", "shaving", "shave", "shaved", "cooking", "chopping",
                 "oven", "stove", "sunburn", "kettle", "baking", "surgery", "tattoo",
                 "eczema", "dog", "cat"),
         templates=[
             "cut|burn|scratch|carve|slash|slice|stab|scar =into? =my|=his|=her|=own @body",
             "cut|burn|scratch|carve ~2 =into =my|=his|=her @body",
             "=my|=his|=her @body =with @det @weapon|=lighter|=scissors|=glass|=compass|=pin|=needle",
             "hurt|harm|punish|damage|punch|hit|=hurting|=harming|=punishing =my|=his|=her =own? =body|=skin",
         ]),
    dict(id="self_harm.marks", cat="self_harm", kind="self", explicit=False,
         unless=("accidentally", "accident", "surgery", "tattoo", "eczema", "dog", "cat",
                 "shaving", "cooking", "acne", "car"),
         templates=[
             "=cuts|=scars|=wounds|=burns|=marks =on =my|=his|=her @body",
             "=hide|=hiding|=hid|=cover|=covering @det? =cuts|=scars|=wounds|=marks",
             "@weapon ~2 =to|=on|=into|=against =my|=her|=his @body|=skin",
             "@body =until|=till|=til =it|=they? =bleed|=bleeds|=bled",
         ]),
    dict(id="self_harm.signs", cat="self_harm", kind="self", explicit=False,
         unless=("period", "nose", "nosebleed", "surgery", "menstrual", "tattoo", "garden", "gardening",
                 "cat", "cats", "kitten", "rash", "eczema", "mosquito", "bites", "hiking", "sunburn",
                 "allergy", "allergies", "accident"),
         templates=[
             "=broke|=break|=broken|=lost|=ruined|=ended|=reset =my =clean =streak",
             "@body @be =a+=mess|=covered|=cut+=up|=all+=cut|=shredded|=ruined|=scarred",
             "=relapsed|=relapse|=relapsing =,? ~3 =cut|=cutting|=burned|=burning|=sh|=self+=harm|=self+=harming",
             "=pain|=hurt|=harm|=damage|=injuries|=wounds i =cause|=caused|=do|=did|=inflict|=inflicted =to? %REFL",
             "=pain|=hurt|=harm|=damage|=injuries|=wounds i =cause|=caused|=inflict|=inflicted =on %REFL",
             "=cause|=causing|=inflict|=inflicting =pain|=harm =on|=to %REFL",
             "=blood =on =my|=the|=his|=her =sheets|=bed|=towels|=towel|=pillow|=sleeves|=clothes|=floor|=sink",
             "=barcode =arms|=wrists|=thighs|=legs|=skin|=scars", "@body =look|=looks =like =a =barcode",
             "=urges|=urge @be =so|=really|=very? =strong|=bad|=back|=intense|=overwhelming|=loud|=worse",
         ]),
    dict(id="self_harm.sleeves", cat="self_harm", kind="self", explicit=False,
         needs=("summer", "hide", "hiding", "again", "why", "cover", "covering", "hot", "heat",
                "scars", "cuts", "marks", "blood", "wrists", "arms"),
         templates=["=long =sleeves|=sleeve"]),
    dict(id="self_harm.punish", cat="self_harm", kind="self", explicit=False,
         needs=("physically", "hurt", "pain", "hit", "cut", "burn", "blood", "body", "bruise",
                "bruises", "marks", "bleed", "scratch", "punch"),
         templates=[f"=punish|=punishing|=punished {REFL}"]),
    dict(id="self_harm.did_it", cat="self_harm", kind="self", explicit=False,
         needs=("blood", "cut", "cutting", "arms", "wrist", "wrists", "sh", "razor", "blade",
                "scars", "bleeding", "thighs"),
         templates=["=did =it =again", "=done =it =again"]),
    dict(id="self_harm.urge", cat="self_harm", kind="self", explicit=True, end=True, templates=[
        "=urge|=urges|=temptation|=tempted|=itch|@intent =to =cut|=burn|=sh|=bleed",
        "=urge|=urges =to =hurt|=harm",
    ]),
    dict(id="self_harm.head_bang", cat="self_harm", kind="self", explicit=False, unless_prev=("like",),
         templates=[
             "=bang|=banging|=banged|=hit|=hitting|=punch|=punching|=punched|=slam|=slamming|=slammed|=smash|=smashed|=smashing|=bash|=bashed =my =head =against|=into|=on =the|=a =wall|=floor|=desk|=door",
             "=punch|=punching|=punched =walls|=wall|=the+=wall",
         ]),
    dict(id="self_harm.starve", cat="self_harm", kind="self", explicit=False, templates=[
        f"=starve|=starving|=starved {REFL}", f"=make|=making|=made {REFL} =throw+=up|=puke|=vomit|=purge",
    ]),

    # ======================= ATTEMPT =======================
    dict(id="attempt.pills", cat="attempt", kind="self", explicit=True, templates=[
        "@took ~3 @qty ~3 @pill", "@took #num ~2 @pill",
        "@took @det? =whole|=entire =bottle|=box|=pack|=packet|=strip",
        "@took =too =much|=many ~2 @pill", "@took =an|=a =overdose",
        "=had =an =overdose",
    ]),
    dict(id="attempt.pills_all", cat="attempt", kind="self", explicit=True,
         unless=("prescribed", "usual", "morning", "daily", "schedule", "routine", "forgot",
                 "remember", "remembered", "supposed", "always", "normal", "normally", "vitamins"),
         templates=["@took =all =of? =my|=the|=her|=his @pill", "@took =every @pill"]),
    dict(id="attempt.took_all", cat="attempt", kind="self", explicit=True,
         needs=("sorry", "goodbye", "pills", "meds", "tablets", "bottle", "sleep", "die", "dying",
                "overdose", "cabinet", "medicine", "mum", "mom", "forgive", "done", "end", "bye",
                "weird", "dizzy", "numb", "sick", "wrong", "drowsy"),
         templates=["@took =everything =in|=from =the|=my", "@took =them =all", "@took =all =of =them|=it",
                    "@took =the =lot", "@took =everything =i|=we =could|=had|=found|=have"]),
    dict(id="attempt.took_pills", cat="attempt", kind="self", explicit=False,
         needs=("already", "sorry", "goodbye", "bye", "die", "dying", "forgive", "overdose",
                "dizzy", "wake", "hospital", "numb", "purpose"),
         templates=["@took =the|=those|=these|=some? @pill"]),
    dict(id="attempt.took_pills_other", cat="attempt", kind="self", explicit=False, third_only=True,
         templates=["@took =the|=those|=these|=some? @pill", "@took =something"]),
    dict(id="attempt.mixed", cat="attempt", kind="self", explicit=True, templates=[
        "=mixed|=mixing|=mix|=combined|=took|=taken ~4 @pill ~2 =with|=and ~1 =alcohol|=vodka|=wine|=beer|=booze|=drinks|=whiskey|=liquor|=rum|=gin|=tequila",
    ]),
    dict(id="attempt.pills_alcohol", cat="attempt", kind="self", explicit=False,
         needs=("vodka", "alcohol", "wine", "whiskey", "beer", "booze", "liquor", "gin", "rum",
                "tequila", "drunk", "drinking"),
         templates=["@took ~3 @pill"]),
    dict(id="attempt.overdose", cat="attempt", kind="self", explicit=True, templates=[
        "=overdosed", "=overdosing",
    ]),
    dict(id="attempt.tried", cat="attempt", kind="self", explicit=True, templates=[
        f"=tried|=trying|=attempted =to @kill|@killself {REFL}",
        f"=tried|=trying|=attempted =to end =it|{POSS}+=life|{POSS}+=own+=life",
        "=tried|=trying|=attempted =to commit|@die|=hang|=overdose|=od|=jump|=unalive|=ctb",
        "=attempted|=attempting suicide",
        "=attempted =last+=night|=yesterday|=tonight|=again|=this+=morning|=this+=week|=today",
        "=survived =an|=my|=another|=a =suicide? =attempt", "=made =an =attempt =on =my =life",
    ]),
    dict(id="attempt.bare", cat="attempt", kind="self", explicit=True, end=True, templates=[
        "i have? =attempted|=tried =again?", "i have? =attempted|=tried =suicide? =twice|=before|=once",
    ]),
    dict(id="attempt.topic", cat="attempt", kind="mention", explicit=True, templates=[
        "=suicide =attempt|=attempts",
    ]),
    dict(id="attempt.failed", cat="attempt", kind="self", explicit=True, templates=[
        "=my =attempt =failed|=didn't+=work|=last+=night|=yesterday|=today|=this+=morning",
        "=survived =my =attempt",
    ]),
    dict(id="attempt.poison", cat="attempt", kind="self", explicit=True, templates=[
        "@took ~3 =bleach|=poison|=antifreeze|=rat+=poison|=drain+=cleaner",
    ]),
    dict(id="attempt.act", cat="attempt", kind="self", explicit=True,
         unless=("pool", "trampoline", "lake", "river", "swim", "swimming"),
         templates=[
             "=jumped =off|=from @det? @height",
             f"=hanged|=hung|=shot|=poisoned|=suffocated|=strangled|=electrocuted {REFL}",
             f"=slashed {POSS} =wrists|=wrist|=throat",
             f"i =just|=have|='ve =slit|=cut|=slashed {POSS} =wrists|=wrist|=throat",
         ]),
    dict(id="attempt.bleeding", cat="attempt", kind="self", explicit=False,
         unless=("period", "nose", "nosebleed", "tooth", "dentist", "gums", "menstrual"),
         templates=[
             "bleed =a+=lot|=heavily|=badly|=out|=everywhere|=so+=much",
             "bleed =from =my|=his|=her @body",
             "can|will @neg =stop =the? =bleeding",
             "=cut =too =deep|=deeply", "=blood =everywhere",
             "@pill @be? =kicking =in", "@pill @be =starting =to =work",
         ]),

    # ======================= IMMEDIATE DANGER =======================
    dict(id="danger.not_safe", cat="immediate_danger", kind="fixed", explicit=True, templates=[
        "i @be @neg =safe", "i @be =unsafe", "my =life @be =in =danger", "i @be =in =danger",
        "=fear|=afraid|=scared|=terrified|=fearing =for =my =life",
        "@neg =feel =safe", "=feel =unsafe",
    ]),
    dict(id="danger.crisis", cat="immediate_danger", kind="fixed", explicit=False, templates=[
        "i @be =in =a? =crisis", "=this @be =an =emergency", "i @be =having =an =emergency",
        "=please =call =911|=999|=112|=police|=the+=police|=an+=ambulance",
    ]),
    dict(id="danger.medical", cat="immediate_danger", kind="fixed", explicit=True,
         needs=("took", "taken", "taking", "swallowed", "something", "pills", "overdose", "drank",
                "drug", "drugs", "ate", "drugged", "spiked"),
         templates=["can @neg =breathe|=stay+=awake|=feel+=my|=move|=get+=a+=breath|=catch+=my+=breath",
                    "=chest @be =tight", "=heart @be =racing|=pounding"]),
    dict(id="danger.took_something", cat="immediate_danger", kind="fixed", explicit=True,
         needs=("breathe", "breath", "chest", "heart", "dizzy", "faint", "numb", "vomiting",
                "passing", "conscious", "wrong", "hospital", "shaking"),
         templates=["=took|=taken|=taking|=swallowed|=drank|=ate =something"]),
    dict(id="danger.heard", cat="immediate_danger", kind="fixed", explicit=False,
         needs=("alone", "scared", "terrified", "afraid", "help", "break", "intruder", "police",
                "lock", "locked", "hiding"),
         templates=["=hear|=heard|=hearing @someone|=footsteps|=noises|=voices|=somebody ~2 =downstairs|=upstairs|=inside|=in+=my|=outside+=my|=in+=the+=house"]),
    dict(id="danger.drugged", cat="immediate_danger", kind="fixed", explicit=False, templates=[
        "@be|=been|=got|=get =drugged|=spiked", "=spiked =my =drink", "=drugged =me|=my+=drink",
    ]),
    dict(id="danger.intruder", cat="immediate_danger", kind="fixed", explicit=True, templates=[
        "=kicked|=kicking|=kick|=smashed|=smashing|=broke|=bashed|=bashing|=busted =down? @det @home|=door|=window =in|=down|=open",
        "=break|=breaking|=broke|=broken|=breakin =in|=into =my|=our|=the @home",
        "@be =breaking =in", "=trying =to =break|=get =in|=into =my|=our|=the @home",
        "@someone|=stranger|=intruder|=man|=guy @be =in|=inside =my|=our|=the @home",
        "@be @det? @someone|=stranger|=intruder|=man|=guy|=person|=people =in|=inside =my|=our|=the @home",
        "@be =being =followed|=chased|=stalked|=attacked|=kidnapped",
        "@someone @be =following|=chasing|=watching me",
        "=kicking|=banging =down? =on? =my|=the =door",
        "@home @be? =on =fire",
    ]),
    dict(id="danger.outside", cat="immediate_danger", kind="fixed", explicit=False,
         needs=("knife", "gun", "scared", "weapon", "bat", "threatening", "police", "help",
                "terrified", "afraid", "banging", "shouting", "screaming", "won't"),
         templates=["@he|%PERSON ~2 @be =outside|=at =my|=the @home",
                    "@he|%PERSON ~2 @be =outside"]),
    dict(id="danger.hiding", cat="immediate_danger", kind="fixed", explicit=False,
         needs=("him", "her", "them", "he", "she", "they", "scared", "afraid", "terrified", "help",
                "hurt", "police", "threatening", "angry", "drunk", "shouting", "screaming", "coming",
                "safe", "knife", "gun", "banging", "yelling"),
         templates=[
             "=hiding|=hid|=locked|=lock =myself? =in|=inside|=under =the|=my|=a =bathroom|=closet|=room|=car|=bedroom|=basement|=bed|=wardrobe",
         ]),
    dict(id="danger.hiding_from", cat="immediate_danger", kind="fixed", explicit=False, templates=[
        "=hiding =from @him|@det+%PERSON",
    ]),
    dict(id="danger.weapon", cat="immediate_danger", kind="fixed", explicit=True, templates=[
        "=point|=pointing|=pointed|=aim|=aiming|=aimed|=hold|=holding|=held|=wave|=waving @det? @weapon =at|=to =me|=my|=us",
        "threaten|=threatening|=threatened|=threatens ~3 =with @det? @weapon",
    ]),
    dict(id="danger.weapon_has", cat="immediate_danger", kind="fixed", explicit=False, templates=[
        "@he|%PERSON ~5 =has|=had|=got|=holding|=grabbed|=pulled|=brought|=carrying|=with|=waving =out? @det @weapon",
    ]),

    # ======================= VIOLENCE (abuse / harm to others) =======================
    # Category decided from actor and victim: the writer hurt -> abuse or child_abuse
    # (immediate_danger when happening now or about to); the writer wanting to
    # hurt someone -> harm_to_others; a child victim -> child_abuse.
    dict(id="violence.act", cat="abuse", kind="violence", explicit=True, templates=[
        "%VIOL me|=us", "%VIOL @him", f"%VIOL {PERSON_OBJ}",
        "=beat|=beats|=beating =me|=us|@him =up",
        "=threw|=throws|=throwing|=thrown|=hurled ~3 =at =me|=us",
        "%VIOL @det? %PERSON =and =me|=us", "%VIOL me =and @det? %PERSON",
        "=put|=puts|=putting|=laid|=lay|=lays|=laying @him|@det? =hands =on =me|=us",
    ]),
    # Being held or locked in: immediate danger when happening now, abuse otherwise.
    dict(id="violence.confine", cat="abuse", kind="violence", explicit=True, confine=True, templates=[
        "will|do|can @neg =let me =out|=leave|=go+=out|=go+=home",
        "@be =being =held|=kept|=locked", "@be =trapped =in|=inside @det? @home|@vehicle|=closet|=bathroom|=trunk",
        "=locks|=locked|=locking|=lock me|=us =in|=out|=up|=inside|=outside",
        "=chains|=chained|=ties|=tied me|=us =up",
    ]),
    dict(id="violence.sexual", cat="abuse", kind="violence", explicit=True, templates=[
        "=makes|=made|=forces|=forced|=force|=make|=pressures|=pressured|=coerced|=coerces me =to? =have+=sex|=do+=sexual|=touch|=suck|=watch+=porn|=send|=sleep+=with",
        "=sexually =assaulted|=abused|=abuses|=assaults|=touched|=touches me",
        "=forced|=forces|=forcing|=force @refl3 =on|=onto|=upon =me",
        "=does|=did|=doing|=do =stuff|=things =to? =me? i do|@modal|@be @neg =like|=want",
        "=had|=has =sex =with =me =when|=while|=even|=after|=without|=against",
    ]),
    dict(id="violence.touch", cat="abuse", kind="violence", explicit=True, touch=True, templates=[
        "=touches|=touched|=touching|=touch|=feels|=felt|=grabs|=grabbed|=fondles|=fondled me",
        "=touches|=touched|=touching|=touch|=grabs|=grabbed =my =private|=privates|=breasts|=chest|=butt|=vagina|=penis|=crotch|=body|=boobs|=ass",
        "=comes|=came =into =my =room =at =night",
        "=touches|=touched|=touching|=fondles|=fondled|=molests|=molested @him",
        f"=touches|=touched|=touching|=fondles|=fondled|=molests|=molested {PERSON_OBJ}",
    ]),
    dict(id="violence.threat", cat="abuse", kind="violence", explicit=True, templates=[
        "=threatens|=threatened|=threatening|=threaten me|=us",
        "threaten|=threatens|=threatened|=threatening =to @kill|@hurtv|=post|=share|=leak|=expose|=release|=beat",
        "threaten|=threatens|=threatened|=threatening =to =take =the|=my|=our =kids|=children|=son|=daughter|=baby",
        "threaten|=threatens|=threatened|=threatening ~5 =if =i =leave|=go|=tell|=break",
        "@kill|@hurtv me =if|=when|=once =i =ever? =leave|=tell|=go|=call|=report|=try",
    ]),
    dict(id="violence.future", cat="immediate_danger", kind="violence", explicit=False, future=True, templates=[
        "=going+=to|=gonna|=about+=to|=trying+=to|=coming+=to|=will|='ll|=gon+=na @kill|@hurtv me|=us",
        "=coming =for|=after =me",
        "@be =hurting|=hitting|=beating|=choking|=attacking|=strangling|=stabbing|=kicking|=punching me",
    ]),
    dict(id="violence.control", cat="abuse", kind="violence", explicit=False, control=True, templates=[
        "=controls|=controlling|=control|=controlled|=takes|=took|=keeps|=kept|=withholds|=withholding|=steals|=stole =all? =my =money|=finances|=paycheck|=bank|=cards|=keys|=passport|=documents|=car",
        "=controls|=controlling|=control|=controlled =everything =i|=me",
        "will|do|can @neg =let|=allow me =leave|=see|=go|=have|=talk|=work|=out|=drive",
        "=never =lets|=let|=allows|=allow me =leave|=see|=go|=have|=talk|=work|=out|=drive",
        "=tracks|=tracking|=monitors|=monitoring|=checks|=checking|=reads|=reading =my =phone|=location|=messages|=texts|=emails",
        "=isolates|=isolating|=isolated me",
        "=have =to =ask|=check =with? @him|%PERSON|@det+%PERSON ~1 =before|=if =i =can? =leave|=go|=talk|=see|=spend|=buy|=eat",
    ]),
    # Grooming and sextortion: requests for images, secrecy demanded by an adult.
    dict(id="violence.grooming", cat="abuse", kind="violence", explicit=True, secret=True,
         needs=("nudes", "naked", "secret", "tell", "parents", "threatens", "threatened", "private",
                "body", "online", "stranger", "older", "snapchat", "instagram", "delete", "expose",
                "leak", "post", "man", "guy", "adult", "teacher", "coach"),
         templates=[
             "=ask|=asks|=asking|=asked|=pressure|=pressuring|=pressured|=wants|=begging|=demanding|=demands =me? =for|=to+=send @him? =pictures|=pics|=nudes|=photos|=naked|=videos|=images",
             "=ask|=asks|=asking|=asked|=pressure|=pressuring|=pressured|=wants|=begging|=demanding|=demands =me? =to+=send @him? =pictures|=pics|=nudes|=photos|=naked|=videos|=images",
             "=send|=sent|=sends =me =nudes|=porn|=naked|=dick",
         ]),
    dict(id="violence.secret", cat="abuse", kind="violence", explicit=True, secret=True, templates=[
        "=said|=says|=told+=me|=warned|=threatened =if =i =tell|=told|=ever ~2 =anyone|=anybody|=someone|=my|=mom|=mum|=dad|=the+=police",
        "=keep =it|=this =a? =secret|=between+=us", "=our =little? =secret",
    ]),
    dict(id="violence.fear_of", cat="abuse", kind="violence", explicit=False, fear=True, templates=[
        "=scared|=afraid|=terrified|=frightened =of =my @partner|@parent|@sib",
        "=scared|=afraid|=terrified|=frightened =of =him|=her", "@be =scared|=afraid|=terrified =to =go =home",
        "@partner|@parent|@him|@he ~2 @be|=gets|=get|=got|=becomes =abusive|=violent",
    ]),
    # The writer's intent to harm others, incl. intrusive fear ("scared i'll hurt my baby").
    dict(id="violence.others", cat="harm_to_others", kind="violence", explicit=True, templates=[
        "=shoot =up =the|=my|=a =school|=office|=work|=class|=church|=mall",
        "=bring|=take =a @weapon =to =school|=work|=class",
        "=shake =my|=the @child",
        "=make @him|%PERSON|@det+%PERSON|@det+@him+%PERSON =pay|=suffer|=regret",
        "=jump|=jumping @him|%PERSON|@det+%PERSON",
        "=losing =control =around|=with @det? %PERSON|@him",
        "=thoughts|=thought|=urges|=urge =of|=about|=to @kill|@hurtv @him|%PERSON|@det+%PERSON|@det+@him+%PERSON",
    ]),
    # Signs of violence reported without the act: covering bruises, a black eye
    # with a partner in the picture.
    dict(id="violence.bruises", cat="abuse", kind="victim", explicit=False, templates=[
        "=cover|=covering|=covered|=hide|=hiding|=hid|=conceal|=concealing =up? @det? =bruises|=bruise|=black+=eye|=black+=eyes",
    ]),
    dict(id="violence.injury_signs", cat="abuse", kind="victim", explicit=False,
         needs=("husband", "boyfriend", "partner", "wife", "girlfriend", "flinched", "flinch",
                "flinches", "scared", "afraid", "terrified", "excuse", "excuses", "walked", "hides",
                "hiding", "cover", "covering", "makeup", "dad", "stepdad", "stepmom", "mum", "mom",
                "father", "mother", "parents", "boyfriend's", "bf", "crying", "covered", "neighbor",
                "neighbour", "constantly", "always", "unexplained"),
         unless=("bike", "sports", "football", "soccer", "rugby", "hockey", "practice", "playground",
                 "skating", "skateboard", "trampoline", "climbing", "training", "tripped", "game",
                 "match", "gym", "surgery", "vaccine", "blood", "test"),
         templates=["=black =eye|=eyes", "=bruises|=bruise|=bruised|=welts"]),
    dict(id="violence.victim", cat="abuse", kind="victim", explicit=True, templates=[
        "@be|=get|=got|=getting =being? =raped|=molested|=abused|=assaulted|=groped|=trafficked|=drugged|=strangled|=attacked|=stalked|=beaten|=neglected",
        "@be|=get|=got|=getting =being? =sexually =abused|=assaulted|=harassed",
        "@be|=get|=got|=getting =beaten =up",
        "=hit|=slapped|=punched|=kicked|=beaten|=hurt|=touched|=pushed|=shoved|=choked|=raped|=molested|=abused|=threatened =by @det? @him? %PERSON",
        "=hit|=slapped|=punched|=kicked|=beaten|=hurt|=touched|=pushed|=shoved|=choked|=raped|=molested|=abused|=threatened =by @him",
    ]),
    dict(id="abuse.topic", cat="abuse", kind="mention", explicit=True, templates=[
        "=abusive =relationship|=marriage|=partner|=husband|=boyfriend|=wife|=girlfriend|=ex",
        "=domestic =violence|=abuse", "=dv", "=sexual =abuse|=assault", "rape", "abuse",
        "=emotional|=physical|=verbal|=financial =abuse",
    ]),
    dict(id="child_abuse.topic", cat="child_abuse", kind="mention", explicit=True, templates=[
        "=child|=kid =abuse|=neglect", "=abusive =parents|=father|=mother|=dad|=mom|=home|=household|=family|=stepdad",
        "=incest", "=groomed|=grooming|=grooms =me",
    ]),
    dict(id="child_abuse.child_victim", cat="child_abuse", kind="fixed", explicit=True, templates=[
        "@child ~4 @be =being|=getting =abused|=beaten|=hit|=molested|=hurt|=neglected|=starved|=touched",
        "=bruises|=marks|=burns|=welts =on =my|=his|=her|=the|=their @child",
        "@parent|@he ~2 =neglect|=neglects|=neglected me|@child",
        "@neg =feed|=feeds|=fed me|=us",
    ]),

    dict(id="harm_to_others.intent", cat="harm_to_others", kind="fixed", explicit=False,
         needs=("who", "sure", "weapon", "gun", "knife", "i'll"),
         templates=[
             "=make =sure ~2 =gets|=get =hurt|=killed|=what",
             "=get|=gets =what @he|='s =deserves|=deserve|=coming",
             "=going+=to|=gonna|=will =get =hurt|=killed|=shot|=stabbed",
         ]),
    dict(id="harm_to_others.property", cat="harm_to_others", kind="fixed", explicit=False,
         needs=("going", "gonna", "want", "will", "i'll", "plan", "planning"),
         templates=["=burn|=torch|=set+=fire+=to =down? =his|=her|=their|=my+%PERSON+='s|=the =house|=home|=car|=place|=apartment|=flat"]),
    dict(id="harm_to_others.slang", cat="harm_to_others", kind="fixed", explicit=False, templates=[
        "=catch =a =case|=body|=charge",
    ]),
    # "scared of what i'll do": to someone else when a person is mentioned,
    # otherwise to oneself.
    dict(id="harm_to_others.scared_of_self", cat="harm_to_others", kind="fixed", explicit=False,
         needs=("toddler", "baby", "kid", "kids", "son", "daughter", "him", "her", "them", "child",
                "children", "partner", "husband", "wife", "someone", "people", "newborn"),
         templates=["=scared|=afraid|=terrified|=worried|=frightened =of =what i @modal|=might|='ll =do"]),
    dict(id="suicide.scared_of_self", cat="suicide", kind="self", explicit=False, end=True,
         unless=("toddler", "baby", "kid", "kids", "son", "daughter", "him", "her", "them", "child",
                 "children", "partner", "husband", "wife", "someone", "people", "newborn"),
         templates=["=scared|=afraid|=terrified|=worried|=frightened =of =what i @modal|=might|='ll =do"]),
    dict(id="self_harm.scared_of_self", cat="self_harm", kind="self", explicit=True, templates=[
        f"=scared|=afraid|=terrified|=worried|=frightened =of =what i @modal|=might|='ll =do =to {REFL}",
    ]),

    # ======================= THIRD PARTY (extra) =======================
    # finding self-harm tools or blood among someone else's things
    dict(id="third_party.found", cat="third_party", kind="fixed", explicit=False, templates=[
        "=found|=find|=finding ~3 =razors|=razor|=blades|=blade|=bloody|=blood|=cuts|=scars|=noose|=rope ~5 ='s|=his|=her|=their",
    ]),
    dict(id="third_party.worry", cat="third_party", kind="fixed", explicit=False, templates=[
        "=worried|=scared|=afraid|=concerned|=terrified|=worry|=fear =about|=for =my @det? %PERSON ='s? =safety|=life",
        "=worried|=scared|=afraid|=concerned|=terrified =that? =my @det? %PERSON =will|=might|=is|=may =do =something =stupid|=drastic",
    ]),
]

# Figurative or benign phrases that cancel overlapping matches. ``veto`` lists
# family ids or categories.
_WHO = "@him|me|=us|%PERSON|@det+%PERSON|@det+@him+%PERSON"
GUARDS: list[dict] = [
    # "kicking myself", "beat myself up"
    dict(id="fig.kick_self", veto=("self_harm",), templates=[f"kick {REFL}", f"beat {REFL} =up"]),
    # "cut myself some slack", "burn myself out", accidents
    dict(id="fig.cut_slack", veto=("self_harm",), templates=[
        f"cut {REFL} =some|=a =slack|=break|=piece|=slice|=bit", f"cut {REFL} =off|=out",
        f"burn {REFL} =out", f"=burnt|=burned {REFL} =out",
        f"hurt|cut|burn|hit {REFL} =on =a|=the|=some =piece|=glass|=paper|=can|=nail|=edge|=fence|=stove|=oven|=pan|=iron|=kettle|=door|=table|=corner|=knife",
        f"hurt|injure {REFL} =at|=playing|=lifting|=working|=running|=skiing|=falling|=exercising|=during|=training|=while",
        f"hit {REFL} =with =a|=the =door|=ball|=racket",
        f"slap {REFL}",
    ]),
    # "killing myself to finish this", "shoot myself in the foot"
    dict(id="fig.kill_self", veto=("suicide.kill_self",), templates=[
        f"@kill {REFL} =laughing", f"@be =killing {REFL} =to|=over|=at|=for|=trying|=working|=studying|=here|=doing",
        f"=could @kill {REFL} =for", f"=shoot {REFL} =in =the =foot",
        f"delete {REFL} =from|=off", f"drown {REFL} =in =work|=homework|=coffee|=music|=books|=netflix|=tv|=games|=projects|=tasks|=sorrows|=paperwork|=chores",
        f"@kill {REFL} =with =work|=kindness",
    ]),
    # "die of embarrassment", "to die for", "dying my hair"
    dict(id="fig.die_of", veto=("suicide",), templates=[
        "@die =of =embarrassment|=laughter|=cringe|=boredom|=shame|=cuteness|=happiness|=jealousy|=envy|=excitement|=hunger|=thirst|=heat|=curiosity|=old",
        "@die =laughing", "@die =a =little =inside", "@die =happy",
        "@be|=looks|=look|=smells|=tastes|=sounds =to @die =for", "=worth =dying =for",
        "@die ~2 =hair|=beard|=clothes|=shirt|=eyebrows|=roots",
        "=cross =my =heart =and? =hope =to =die",
        "=feel =like @die =my|=her|=it|=them",
    ]),
    dict(id="fig.rather_die", veto=("suicide.rather_die",), templates=["=rather @be? @die =than"]),
    dict(id="fig.cut_back", veto=("self_harm",), templates=[
        "=cutting|=cut|=cuts =back|=down|=out|=off|=ties|=costs|=corners|=carbs|=class|=school|=people|=sugar|=hair|=grass|=coupons",
    ]),
    dict(id="fig.substance", veto=("abuse.topic",), templates=[
        "=child|=kid|=elder|=spousal|=partner|=animal|=sibling abuse",
        "=substance|=drug|=drugs|=alcohol|=opioid|=opiate|=cannabis|=marijuana|=steroid =abuse",
        "abuse =of =power|=authority|=trust|=process", "abuse =my|=the =credit|=system|=privileges",
    ]),
    # "don't want to live with my parents", "no reason to live here"
    dict(id="fig.live_where", veto=("suicide.no_will_to_live", "suicide.not_here"), templates=[
        "@live =in|=with|=here|=there|=at|=near|=together|=abroad|=alone|=forever|=off|=on|=paycheck|=under|=like+=that",
        "=here =at|=in|=with|=today|=for|=because|=right",
    ]),
    dict(id="fig.end_it", veto=("suicide.end_it", "suicide.end_life"), templates=[
        "end =it|=things =with|=between|=off", "take =my =life =back|=in|=into",
    ]),
    dict(id="fig.go_on", veto=("suicide.cant_go_on", "suicide.cant_go_on_end", "suicide.not_here"), templates=[
        "=go =on =a|=an|=the|=vacation|=holiday|=trip|=dates|=date|=tour|=leave|=stage|=air|=strike|=break|=record|=medication|=meds|=about|=social|=my|=his|=her|=their|=our|=that|=instagram|=tiktok|=twitter|=without",
        "=continue =to|=with|=the|=my|=therapy|=working|=studying",
    ]),
    # titles and set phrases: "suicide squad", "suicide doors", bereavement
    dict(id="fig.suicide_titles", veto=("suicide.topic", "suicide.suicidal", "suicide.commit"), templates=[
        "suicide =squad|=door|=doors|=bomber|=bombers|=bombing|=bomb|=mission|=missions|=run|=runs|=sprint|=sprints|=drill|=drills|=king|=kings|=blonde|=silence|=squeeze|=pass|=prevention|=awareness|=statistics|=stats|=rate|=rates|=research|=risk|=survivor|=survivors|=loss|=bereavement|=forest|=season|=watch",
        "=virgin suicide", "suicide @be =painless", "=suicidal =tendencies",
        "suicidal =patients|=clients|=people|=individuals|=teens|=youth|=students|=adolescents|=veterans|=callers|=users|=person|=ideation+=screening",
        "=lost ~4 =to suicide", "=died|=death =by|=from|=of suicide", "=his|=her|=their|=whose suicide",
        "=suicide|=suicidal =prevention|=awareness",
    ]),
    # bereavement: someone else's completed suicide
    dict(id="fig.bereavement", veto=("suicide.topic",), templates=[
        "=committed|=commited|=completed suicide", "=died|=dying|=death =by|=from|=of|=to suicide",
    ]),
    dict(id="fig.sh_topic", veto=("self_harm.topic",), templates=[
        "self harm =awareness|=prevention|=statistics|=research|=training|=policy|=resources",
    ]),
    # "cut him off", "hit me up", "beat me at chess", "shoot her a text", "hurt his feelings"
    dict(id="fig.violence", veto=("violence.act", "violence.others", "violence.future", "violence.victim"), templates=[
        f"cut|=cuts {_WHO} =off|=out", f"hit {_WHO} =up",
        "hit me =with =a|=the|=some =question|=questions|=idea|=news|=truth|=reality|=request|=bill|=fact|=facts|=joke|=song",
        f"beat|=beats|=beat {_WHO} =at|=in|=to",
        f"shoot {_WHO} =a|=an|=down? =text|=message|=email|=dm|=line|=look",
        f"%VIOL {_WHO} =with =kindness",
        f"hurt|=hurts|=hurting {_WHO} ='s? =feelings|=feeling|=pride|=chances|=career|=reputation|=ego",
        f"kill|=killed|=killing {_WHO} =in =the =game",
        f"%VIOL {_WHO} ='s", "%VIOL @det? %PERSON =at =chess|=cards|=games",
        "=it =hit =me", "%VIOL me =up =to",
        "%VIOL =her|=his|=their =hand|=hands|=phone|=bag|=keys|=attention|=coat|=jacket|=book|=stuff|=things|=drink|=food|=car|=shoulder|=feelings|=arm",
        f"push|=pushes|=pushed|=pushing {_WHO} =to|=into|=too|=so|=harder|=hard|=beyond|=towards|=forward|=through|=away|=aside",
        f"drop|=dropped|=dropping|=drops {_WHO} =off|=a|=at|=in",
        f"throw {_WHO} =a|=an|=out|=under|=off",
        f"make {_WHO} =pay =for|=back|=rent|=the|=me|=bill",
        f"jump {_WHO} =start|=at|=in|=on|=to|=ship|=the+=gun",
        "=shake @him|%PERSON =hand|=hands|=off|=up",
        "=killing|=kills =me =with|=lol", "=kills =me",
        "=attacked|=bitten|=bit =by =a|=the =dog|=cat|=bear|=bee|=shark",
        "=hit|=hurt =by =a|=the =car|=bus|=truck|=ball|=wave|=train|=bike",
    ]),
    # play and pillow fights
    dict(id="fig.play", veto=("violence.act",), templates=[
        f"%VIOL {_WHO} =with =a|=the|=his|=her|=my|=some =pillow|=pillows|=ball|=snowball|=snowballs|=balloon|=toy|=toys|=sock|=towel|=cushion|=feather|=newspaper|=question|=questions",
    ]),
    # goodbyes to places, jobs and seasons
    dict(id="fig.goodbye", veto=("suicide.goodbye",), templates=[
        "goodbye =to ~2 =job|=house|=home|=apartment|=city|=school|=team|=class|=summer|=coworkers|=colleagues|=office|=town|=country|=flat|=dorm|=classmates|=students|=guests|=party",
    ]),
    dict(id="fig.danger", veto=("danger.not_safe",), templates=[
        "=feel =safe =talking|=sharing|=telling|=opening|=discussing|=to|=with+=my+=therapist|=with+=therapist|=in+=therapy",
        "=safe =to =talk|=share|=tell|=say",
    ]),
    dict(id="fig.weapon", veto=("danger.weapon_has",), templates=[
        "@weapon =collection|=license|=licence|=permit|=safe|=range|=shop|=show|=club|=set",
    ]),
    dict(id="fig.future", veto=("suicide.no_future", "suicide.want_it_over"), templates=[
        "=future =in|=with|=at|=together|=here|=as|=for+=us|=for+=this|=for+=the",
        "=way =out =of", "=only =option =is|=for",
    ]),
    dict(id="fig.throw", veto=("violence.act",), templates=[
        "=threw|=throws|=throwing|=thrown ~2 =ball|=balls|=snowball|=snowballs|=frisbee|=pillow|=pillows|=balloon|=balloons|=confetti|=glance|=look|=looks|=shade|=party|=tantrum|=fit|=water|=question|=questions|=compliment|=compliments|=treat|=treats =at",
    ]),
    dict(id="fig.disappear", veto=("suicide.disappear",), templates=[
        "=disappear|=vanish =for|=to|=into|=under|=on|=from|=with|=somewhere|=off",
    ]),
    dict(id="fig.thoughts", veto=("suicide.thoughts",), templates=[
        "=death =of|='s|=penalty|=metal|=row|=grips|=valley|=star|=stranding",
    ]),
]

# ---------------------------------------------------------------------------
# Context word lists used by the detector
# ---------------------------------------------------------------------------

NEGATORS = frozenset({"not", "never", "no", "nor", "neither", "stopped", "quit", "overcame",
                      "noone", "nobody"})
# A negator followed by one of these is a hedge, not a denial ("not sure i want
# to live", "can't stop thinking about", "not gonna lie").
NEG_EXCEPT_NEXT = frozenset({"sure", "certain", "know", "knowing", "lie", "lying", "kidding",
                             "joking", "only", "just", "stop", "help", "wait", "i"})
CLAUSE_BREAK = frozenset({",", ".", "!", "?", ";", ":", "—", "–", "-", "but", "and", "so",
                          "because", "if", "when", "though", "although", "however", "then",
                          "that", "cause", "whether", "unless", "until", "while", "\n"})
SENT_BREAK = frozenset({".", "!", "?", ";", "\n", "\n\n"})

GENERIC_WORDS = frozenset({"someone", "somebody", "anyone", "anybody", "people", "person",
                           "everyone", "everybody", "you", "your", "yourself", "one", "those",
                           "we", "us", "our", "individuals", "patients", "clients", "teens",
                           "adolescents", "users", "victims", "survivors", "kids", "children"})
# "someone i know wants to die": the "i" belongs to a description of someone else.
SOMEONE_I_KNOW_HEAD = frozenset({"someone", "somebody", "person", "friend", "guy", "girl",
                                 "people", "one", "kid", "man", "woman", "boy", "anyone"})
SOMEONE_I_KNOW_VERB = frozenset({"know", "love", "care", "met", "like", "work", "go", "live",
                                 "be", "'m", "am", "was", "see", "seeing", "dating", "with",
                                 "used", "grew", "dated", "date", "follow", "babysit", "nanny",
                                 "teach", "tutor", "mentor", "coach"})
# Words that may stand between a topic word and the person it belongs to
# ("i've been struggling with self harm", "my friend is suicidal").
LIGHT_WORDS = frozenset({
    "be", "have", "feel", "get", "still", "so", "really", "very", "been", "having",
    "struggle", "struggling", "with", "deal", "dealing", "experience", "experiencing",
    "battle", "battling", "fight", "fighting", "some", "kind", "of", "kinda", "pretty",
    "always", "sometimes", "often", "constantly", "a", "lot", "lately", "again", "had",
    "about", "think", "thinking", "talk", "talking", "talked", "joke", "joking", "post",
    "posting", "mention", "say", "saying", "said", "tell", "told", "extremely", "super",
    "actively", "passively", "severely", "seriously", "sort", "bit", "little",
    "getting", "become", "becoming", "being", "do", "did", "relapse", "relapsed",
    "start", "started", "keep", "kept", "quite", "fucking", "literally", "honestly",
    "feeling", "felt", "in", "an", "the", "ongoing", "constant", "frequent", "recurring", "history",
    "severe", "strong", "these", "those", "more", "abusive", "victim", "survivor",
    "going", "through", "go", "went", "suffer", "suffering", "from", "also", "too",
    "now", "currently", "just", "like", "even", "probably", "maybe", "might", "may",
    "can", "could", "would", "will", "should", "want", "need", "stop", "all",
})
INTENT_WORDS = frozenset({
    "want", "go", "going", "gonna", "will", "plan", "planning", "intend", "think", "thinking",
    "thought", "fantasize", "fantasy", "dream", "urge", "feel", "might", "may", "about",
    "scared", "afraid", "worry", "worried", "terrify", "terrified", "fear", "tempt", "tempted",
    "ready", "decide", "decided", "try", "trying", "impulse", "imagine", "imagining",
    "keep", "need", "wish", "gon", "would", "could", "'ll", "shall", "swear", "mean",
})
FEAR_WORDS = frozenset({"scared", "afraid", "worry", "worried", "terrified", "terrify", "fear",
                        "thought", "thoughts", "urge", "urges", "intrusive", "frighten"})
LAUGH_WORDS = frozenset({"lol", "lmao", "lmfao", "haha", "hahaha", "hahah", "rofl", "jk", "xd"})
# Tokens that may follow a clause-final match ("i cut again so bad", "i cut.").
END_OK = frozenset({"and", "but", "so", "because", "cause", "lol", "omg", "ugh", "rn", "right",
                    "now", "tonight", "today", "again", "anymore", "really", "badly", "bad",
                    "deep", "deeper", "yesterday", "last", "agian", "please", "help", "idk",
                    "though", "too", "lately", "recently", "every", "sometimes", "still",
                    "when", "if", "or", "more", "much", "i", "goodbye", "bye"})
# Past-tense cues that let a match be treated as history.
PAST_CUES = frozenset({"tried", "attempted", "was", "were", "used", "had", "wanted", "took",
                       "left", "escaped", "went", "threw", "hit", "made", "felt", "thought",
                       "did", "overdosed", "got", "cut",
                       "hurt", "survived", "been", "relapsed", "harmed", "burned", "burnt",
                       "abused", "raped", "molested", "beat", "beaten", "grew"})
# Parent-like adults: abuse of the writer by them is child abuse.
CHILD_ABUSER_CLASSES = frozenset({"@parent"})
CHILD_ABUSER_WORDS = frozenset({"teacher", "coach", "babysitter", "nanny", "tutor", "priest",
                                "pastor", "stepdad", "stepmom"})
# Qualifiers that make "he touches me" abusive.
TOUCH_QUALIFIERS = frozenset({
    "inappropriately", "inappropriate", "private", "privates", "there", "without", "consent",
    "asleep", "sleeping", "night", "uncomfortable", "weird", "secret", "sexually", "sexual",
    "stop", "no", "not", "never", "wrong", "body", "clothes", "underwear", "bed", "scared",
    "afraid", "creepy", "forced", "forces", "makes", "made",
})

# Message-level regular expressions (run on normalised text).
QUESTION_START = (
    r"^\s*(?:can|could|does|do|did|what|what's|whats|how|is|are|should|will|would|why|when|"
    r"where|which|who|whom|any|anyone|has|have|was|were|if)\b"
)
THERAPY_WORDS = frozenset({
    "therapy", "therapist", "therapists", "treatment", "treatments", "treat", "dbt", "cbt",
    "counseling", "counselling", "counselor", "counsellor", "psychologist", "psychiatrist",
    "psychotherapy", "psychotherapist", "session", "sessions", "confidential", "confidentiality",
    "report", "reported", "mandated", "mandatory", "medication", "insurance", "cost", "emdr",
    "clinician", "clinicians", "professional", "professionals", "doctor", "gp", "telehealth",
    "group", "groups", "resource", "resources", "program", "programme",
})
# Words that make a question a question about a topic ("warning signs of suicide").
TOPIC_QUESTION_WORDS = frozenset({
    "sign", "signs", "symptom", "warning", "statistic", "definition", "define", "meaning",
    "mean", "cause", "prevent", "prevention", "risk", "factor", "difference", "type", "fact",
    "rate", "research", "study", "studie", "treat", "treated", "legal", "law", "illegal",
    "hotline", "helpline", "resource", "support", "percentage", "common", "stigma",
})
DISTANT_PAST = (
    r"\b(?:\d+|a few|few|several|many|couple of|a couple of|two|three|four|five|six|seven|"
    r"eight|nine|ten|eleven|twelve|fifteen|twenty|thirty) (?:years|yrs|decades|months)(?: ago| back)?\b"
    r"|\b(?:a )?(?:long )?(?:time|while) ago\b|\byears ago\b|\bmonths ago\b|\blast year\b"
    r"|\bwhen i was (?:a |an |in |younger|little|small|\d+|young|at|still)"
    r"|\bas a (?:kid|child|teen|teenager|little|young)|\bgrowing up\b|\bgrew up\b"
    r"|\bin (?:high school|middle school|college|uni|university|my teens|my twenties|the past|my past|\d{4})\b"
    r"|\bback (?:in|then|when)\b|\bused to\b|\bin my childhood\b|\bchildhood\b|\bhistory of\b"
    r"|\b(?:my|a) (?:past|previous|old)\b|\bpreviously\b|\bonce before\b|\bbefore i\b"
    r"|\bdecades? ago\b|\ba decade\b|\bwhen (?:she|he|they) (?:was|were)\b|\bback then\b"
    r"|\bin (?:uni|school|my youth|my twenties|my thirties)\b|\byears back\b"
)
RESOLVED = (
    r"\bdoing (?:much |so |a lot |way |really |a bit |pretty )?(?:better|well|good|great|okay|ok|fine)\b"
    r"|\b(?:much|a lot|way|so much) better\b|\bbetter now\b"
    r"|\b(?:i'm|i am|im) (?:now |finally )?(?:fine|okay|ok|good|well|great|stable|safe|happy|healthy|better)(?: now)?\b"
    r"|\brecovered\b|\brecovery\b|\bhealed\b|\bhealing\b|\bclean for\b|\b\d+ (?:years|months) clean\b"
    r"|\bsober\b|\bhaven't (?:\w+ ){0,3}since\b|\bhave not (?:\w+ ){0,3}since\b|\bno longer\b"
    r"|\bin a (?:good|better|much better) place\b|\bstable\b|\bbehind me\b|\bmoved on\b|\bover it\b"
    r"|\bgot help\b|\bsurvived\b|\bstopped\b|\bquit\b|\bthankfully\b|\bmanaged to\b|\bcoping\b"
    r"|\bkeep me\b|\bstay (?:stable|well|safe|on track|healthy)\b|\bprocess\b|\bprocessing\b"
    r"|\bheal\b|\bwork through\b|\bdeal with\b|\bunpack\b|\bafter (?:effects|math)\b"
    r"|\bmade (?:my )?peace\b|\bdone (?:a lot of |some |the )?work\b|\bworked (?:on|through)\b"
    r"|\bwork on\b|\bworking on\b|\bhelp(?:ing)? others\b|\bgets better\b|\bthat was\b"
    r"|\bbeen out\b|\bgot out\b|\bi left\b|\bleft (?:him|her|them)\b|\bpassed away\b"
    r"|\bit passed\b|\bafter treatment\b|\bhelp works\b|\bnow i (?:want|am|have|'m)\b"
    r"|\bi'm (?:fine|okay|ok|good|well|better|safe|happy) now\b|\bfinally ready\b|\bin the past\b"
    r"|\bfree (?:of|from) it\b|\bbeen free\b|\b(?:therapy|treatment|medication|it|counseling|counselling|they) (?:really )?helped\b"
    r"|\breconciled\b|\bdoing (?:fine|alright)\b"
)
# Recent events ("last night"): a past act then is not history.
RECENT_EVENT = (
    r"\blast (?:night|week|weekend|tuesday|monday|wednesday|thursday|friday|saturday|sunday)\b"
    r"|\byesterday\b|\btoday\b|\btonight\b|\bthis (?:morning|week|weekend|afternoon|evening)\b"
    r"|\b(?:few|couple of|two|three|\d+) (?:days|hours|minutes|weeks) ago\b|\bjust now\b|\bright now\b"
    r"|\bhours ago\b|\bearlier\b|\ban hour ago\b"
    r"|\bjust (?:took|tried|did|cut|overdosed|swallowed|drank|attempted|hit|happened|now)\b"
)
# Recurrence ("feel that way again"): history that is not resolved.
RECENT = (
    r"\bagain\b|\bstill (?:feel|have|think|want|struggle|get|do|hurt|cut|hits?|beats?)\b"
    r"|\blately\b|\brecently\b|\bthese days i\b|\bnowadays i\b|\bcoming back\b"
    r"|\bcreeping back\b|\bstarting to (?:feel|think|want)\b|\bevery day\b|\bgetting worse\b"
    r"|\bonly got worse\b|\bcurrently\b|\bright now\b"
)
# The writer says they are an adult ("i'm 22"): a parent's abuse is then not child abuse.
ADULT_CUE = (
    r"\b(?:i'm|i am|im)\s+(?:1[89]|[2-9]\d)\b(?!\s*(?:weeks|months|days|hours|minutes|%|lbs|pounds|kg))"
    r"|\b(?:1[89]|[2-9]\d)\s*(?:yo|y/o|years? old)\b|\b(?:i'm|i am) an adult\b"
)
# Someone else's age under 18 ("she's 4", "my 9 year old").
THIRD_MINOR = (
    r"\b(?:she|he|they)(?:'s| is| are) (?:only |just )?(?:1[0-7]|[1-9])\b(?!\s*(?:weeks|months|days|%))"
    r"|\b(?:1[0-7]|[1-9])[ -]?(?:yo|y/o|year[ -]old|yr[ -]old)\b"
)
MINOR_CUE = (
    r"\b(?:i'm|i am|im|i'm only|i am only|im only|i'm just|im just)\s+(?:1[0-7]|[6-9])\b"
    r"(?!\s*(?:weeks|months|days|hours|minutes|mins|%|percent|lbs|pounds|kg|miles|km|times|am|pm|o'?clock|k\b|years? (?:sober|clean|married|in)))"
    r"|\b(?:1[0-7]|[6-9])\s*(?:yo|y/o|yrs? old|years? old)\b"
    r"|\b(?:i'm|i am|im) (?:a |only a |just a )?(?:minor|kid|child|teen|teenager|young teen)\b"
    r"|\b(?:i'm|i am|im) in (?:\d+(?:st|nd|rd|th)? grade|grade \d+|year \d+|middle school|junior high|elementary|primary school|high school)\b"
    r"|\b(?:i|i'm|im) (?:go|am going|goes) to (?:middle|high|elementary|primary) school\b"
    r"|\bmy (?:parents|mom|mum|dad) (?:won't|will not|don't|do not) let me\b"
)
