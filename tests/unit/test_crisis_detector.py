"""Unit tests for the crisis detector (bot/crisis/detector.py)."""

from __future__ import annotations

import pytest

from bot.crisis.detector import CATEGORIES, PRIORITY, CrisisDetector, Detection, get_detector


@pytest.fixture(scope="module")
def det() -> CrisisDetector:
    return get_detector()


def _cat(det: CrisisDetector, text: str):
    d = det.detect(text)
    return d.category if d else None


# ---------------------------------------------------------------------------
# Positive cases, grouped by expected category
# ---------------------------------------------------------------------------

SUICIDE = [
    # explicit
    "i want to kill myself",
    "I am going to kill myself tonight",
    "im thinking about killing myself",
    "i'm suicidal",
    "honestly i feel really suicidal lately",
    "i want to end my life",
    "i'm going to take my own life",
    "i just want to die",
    "i want to be dead",
    "i've decided to end it all this weekend",
    "i plan to commit suicide",
    "i have suicidal thoughts every day",
    # passive wishes
    "i wish i could sleep and never wake up",
    "i hope i don't wake up tomorrow",
    "sometimes i wish i was dead",
    "i wish i had never been born",
    "i don't want to be here anymore",
    "i dont want to be alive",
    "i don't want to live anymore",
    "i no longer want to live",
    "there is no reason to live",
    "i have nothing left to live for",
    "what's the point of living",
    "i don't see the point in living anymore",
    "everyone would be better off without me",
    "my family would be better off if i was gone",
    "i'd be better off dead",
    "i can't go on",
    "i cant go on like this",
    "i can't do this anymore, i'm done with life",
    "i'm so tired of being alive",
    "life isn't worth living",
    "i'd rather die than keep living like this",
    "why can't i just die",
    "i wish someone would just kill me",
    "i don't care if i die",
    "i'm not sure i want to live anymore",
    "i don't think i can keep going",
    # euphemism and slang
    "i want to end it all",
    "thinking about unaliving myself",
    "i want to unalive",
    "kms",
    "gonna kms fr",
    "might ctb soon",
    "i won't be around much longer",
    "this is my final goodbye",
    "i've been giving away all my stuff",
    "i wrote a suicide note",
    "i'm a burden to everyone",
    # plan / means
    "how many pills would it take to die",
    "what's the most painless way to die",
    "i've been saving up my pills",
    "i have enough pills to kill myself",
    "thinking about jumping off a bridge",
    "i keep thinking about dying",
    "i'm going to overdose tonight",
    "i bought a rope and tied a noose",
    "i'm standing on the edge of the bridge",
    "i want to walk into traffic",
    # noise: typos, caps, no apostrophes, stretched letters, text-speak, emoji
    "i want to kil myself",
    "i want to commit sucide",
    "im suicdal",
    "i wanna die",
    "i want to dye",
    "I WANT TO DIE",
    "i want to dieeee",
    "i want to die 😭",
    "i want to die😭😭",
    "i wnat to kill myslef",
    "i want 2 die",
    "ill kill myself",
    "i want to k i l l myself",
    "i feel so su1c1dal",
    "idk why but i wanna die rn",
    "i wanna d i e",
    # hidden in long or mixed messages
    "how much does therapy cost, honestly i dont see the point in living anymore",
    "hi, i was wondering if you take insurance. also i have been thinking about suicide a lot",
    "can therapy help me, i want to die",
    "what is cbt? asking because i keep wanting to kill myself",
    ("I have been looking for a therapist for a few weeks now and the waiting lists are long. "
     "My insurance covers some of it but not all and I am not sure what to do about the gap. "
     "Work has been stressful and my manager keeps adding projects. ") * 3
    + "To be honest I just want to die and I don't know who to tell.",
    # past but unresolved / recurring
    "i tried to kill myself years ago and i feel that way again",
    "i attempted when i was 16 and i'm starting to think about it again",
    # hyperbole that still counts
    "i'm going to kill myself",
    "should i just kill myself",
    "why shouldn't i kill myself",
    # more passive and implicit forms
    "i keep thinking it would be easier if i just wasn't alive",
    "honestly my family would be happier without me around",
    "i've been looking up how many sleeping pills it takes",
    "i'm planning to end things on saturday",
    "there's nothing left for me here",
    "i'm so done with everything, i want out of this life",
    "i have a bottle of pills next to me right now",
    "i dont see a reason to keep going",
    "nobody would care if i died",
    "i have a plan and i'm going to do it tonight",
    "i've picked the day i'm going to do it",
    "i keep fantasizing about my own funeral",
    "everyone would be relieved if i disappeared",
    "i've started giving my things away to friends",
    "i want to fall asleep and not wake up",
    "i've been stockpiling my meds for a while",
    "if i'm gone tomorrow, please know it wasn't your fault",
    "death seems like the only way out",
    "there's no point in me being here",
    "i want to slit my wrists",
    "i'm thinking of overdosing on my meds",
    "i don't think i can keep myself safe tonight",
    "i won't need my savings where i'm going",
    "i'm putting my affairs in order so nobody has to deal with it after",
    "ready to log off for good",
    "i dont plan on being around much longer",
    "i can't see a future for myself",
    # more noise
    "i wan die",
    "imma kms",
    "dont wanna live nemore",
    "i dnt wanna b alive",
    "tbh idc if i die anymore",
    "i want 2 end it all tn",
    "evry1 wud be beter off w/o me",
    "su1cide is the only option",
    "just want to sleep forever 😴",
    ("hello. quick question about your intake form. it asks about my medical history and i "
     "wasn't sure what to put because i have asthma and some allergies. also i don't think i "
     "want to be alive anymore. thanks"),
    "i've been thinking everyone's life would be better if i wasn't in it",
    "i wrote a note for my parents in case i don't make it through tonight",
    "i'm not going to be around for much longer, i've decided",
    "i looked up the tallest bridge near me",
    "every night i think about how i'd do it",
    "i'm at the train station and i'm thinking of stepping in front of the next one",
]

SELF_HARM = [
    "i cut myself last night",
    "i've been cutting myself",
    "i want to hurt myself",
    "i keep burning myself with a lighter",
    "i cut again",
    "i relapsed on sh",
    "i relapsed and started cutting again",
    "i self harm",
    "i've been struggling with self-harm",
    "i hit myself when i get angry",
    "i punch myself until i bruise",
    "i scratch my arms until they bleed",
    "i cut my thighs so no one sees",
    "i have the urge to cut",
    "the urges to hurt myself are so strong",
    "i hurt myself on purpose",
    "🔪 myself",
    "I CUT MYSELF AGAIN",
    "i want to cutt myself",
    "i want to hurt my self",
    "i started self harming again after 2 months clean",
    "i make myself bleed",
    "i'm starving myself on purpose",
    "i need to cut so bad",
    "i keep hiding my cuts from my parents",
    "i slammed my head against the wall until it bled",
    "my thighs are covered in cuts",
    "i relapsed, cut for the first time in a year",
    "i carved words into my skin",
    "i've been burning my legs with a lighter",
    "i want to h.u.r.t myself",
    "i cutt again last nite 😔",
    "the only thing that helps is the pain i inflict on myself",
    "my arms look like a barcode",
    "i broke my clean streak yesterday",
    "i'm scared of what i might do to myself",
    "i keep biting myself until it bleeds",
    "i picked at my skin with a razor last night",
    "i had a relapse with self harm this weekend",
]

ATTEMPT = [
    "i took a lot of pills",
    "i just took a bunch of sleeping pills",
    "i swallowed a whole bottle of tylenol",
    "i took 30 of my antidepressants",
    "i overdosed",
    "i think i overdosed",
    "i tried to kill myself last night",
    "i attempted suicide yesterday",
    "i took all of my pills",
    "i od'd on my meds an hour ago",
    "i tried to hang myself",
    "i just drank bleach",
    "i cut too deep and can't stop the bleeding",
    "i tried to end it last week",
    "i took too many pills and feel dizzy",
    "i'm overdosing",
    "i tried to kil myself yesterday",
    "i took 40 tylenol an hour ago",
    "i swallowed all my sertraline",
    "i took a handful of xanax and some vodka",
    "my attempt failed and i'm in the hospital",
    "i drank a bottle of vodka and took my sleeping pills",
    "i jumped from my balcony but i survived",
    "took a bunch of pills 💊💊 sorry",
    "i've taken them all, i'm sorry mum",
    "i think i overdosed",
    "i'm bleeding from my wrists and i can't stop it",
    "i took everything i could find and i feel weird now",
    "i just drank a bottle of bleach",
]

IMMEDIATE_DANGER = [
    "someone is breaking in",
    "someone is trying to break into my house",
    "he has a gun and is threatening me",
    "he's pointing a gun at me",
    "i'm not safe right now",
    "im not safe",
    "i'm in danger",
    "there's someone in my house",
    "he is going to kill me",
    "i think my husband is going to kill me tonight",
    "i'm hiding in the bathroom from him",
    "i'm afraid for my life",
    "i'm being followed",
    "my boyfriend is hitting me right now please help",
    "somebody is trying to get into my apartment",
    "he threatened me with a knife",
    "he's banging on the door and screaming that he'll kill me",
    "there's a man with a knife outside my house",
    "my boyfriend is strangling me help",
    "someone broke into my apartment and i'm hiding",
    "there's an intruder in my house",
    "he locked me in the basement",
    "sumone is breakin in 2 my house",
    "hes got a gun help",
    "i'm trapped in the car and he won't let me out",
    "i can't breathe, i took something an hour ago",
    "i think someone spiked my drink, i'm still at the club",
    "he's outside my house right now with a crowbar and i'm terrified",
    "my partner is hitting me right now, i'm hiding in the bathroom",
    "i can hear someone downstairs and i live alone",
]

HARM_TO_OTHERS = [
    "i want to kill my boss",
    "i'm going to hurt him",
    "scared i'll hurt my baby",
    "i'm afraid i might hurt my kids",
    "i want to stab my roommate",
    "i'm going to shoot up the school",
    "i keep having thoughts of hurting my baby",
    "i want to kill everyone at work",
    "i feel like hurting someone",
    "i'm going to beat him up",
    "i wanna kill him",
    "sometimes i think about strangling my husband",
    "i want to hurt my mom",
    "i keep imagining hurting my kids and it scares me",
    "i want to beat my ex until he can't walk",
    "i'm afraid i'm going to shake the baby",
    "i'm going to make him suffer",
    "i'll kill him if he comes near me again",
    "i want 2 hurt my step dad",
    "i've got a knife and i'll make sure he gets hurt",
    "i have thoughts about strangling my roommate in his sleep",
    "i'm going to burn his house down",
    "i'm going to poison my husband",
]

ABUSE = [
    "my husband hits me",
    "my partner choked me",
    "he threatens me and controls my money",
    "my boyfriend beats me",
    "my wife slapped me again",
    "i was raped",
    "i was sexually assaulted at a party",
    "my ex keeps threatening to kill me if i leave",
    "my girlfriend won't let me see my friends and checks my phone",
    "i'm in an abusive relationship",
    "my husband forced me to have sex",
    "he raped me",
    "i'm scared of my husband",
    "my bf pushed me and then choked me",
    "i got beaten up by my boyfriend",
    "my partner is abusive",
    "he threatens to take the kids if i leave",
    "my husband abuses me",
    "MY BF HITS ME",
    "my husbnd hits me",
    "my wife beats me when she's drunk",
    "my boyfriend forced me to have sex last night",
    "i was sexually assaulted by my boss",
    "my ex choked me until i passed out",
    "she screams at me and throws things at me",
    "he grabbed me by the throat",
    "my husband takes my paycheck and won't let me work",
    "my bf hit me agen",
    "he put his hands on me again",
    "i hide the bruises with makeup so nobody asks",
    "my dad still hits me and i'm 30",
    "my husband strangled me last night",
    "my wife won't let me have my own bank account and checks my phone every night",
    "my ex keeps stalking me and showed up at my work",
    "i'm afraid to go home because of my husband",
]

CHILD_ABUSE = [
    "my dad beats me and i'm 14",
    "my mom's boyfriend touches me",
    "my moms boyfriend touches me at night",
    "i think the kid next door is being abused",
    "my stepdad hits me",
    "my mom hits me with a belt",
    "im 13 and my brother hits me",
    "my uncle molested me and i'm 12",
    "my parents don't feed me",
    "my husband hits our son",
    "i think my niece is being abused",
    "there are bruises on my son after he visits his dad",
    "my teacher touched me",
    "im 15 and my boyfriend hits me",
    "my dad locks me in my room for days",
    "my stepmom burns me with cigarettes",
    "my uncle comes into my room at night",
    "i'm 11 and my mom's boyfriend hits me",
    "the kids next door are always crying and covered in bruises",
    "my neighbour beats his little boy",
    "my student told me her dad touches her",
    "my dad hits my little sister",
    "my mom starves me as punishment",
    "im 16 and my parents beat me",
    "my dad beets me",
    "my teacher asked me to send him pictures and i'm 14",
    "my mom's boyfriend makes me touch him",
    "my stepdad hits my mom and me",
    "my parents lock me in the garage for hours",
    "my neighbour's kid told me his dad burns him with cigarettes",
]

THIRD_PARTY = [
    "my friend wants to die",
    "my sister is cutting herself",
    "i think my son is suicidal",
    "my best friend told me she wants to kill herself",
    "my brother keeps talking about suicide",
    "i'm worried my girlfriend will hurt herself",
    "my friend took a bunch of pills",
    "my dad tried to kill himself last night",
    "my daughter has been self harming",
    "someone i know wants to end their life",
    "my roommate said he doesn't want to live anymore",
    "my friend sent me a goodbye message",
    "my teen son says everyone would be better off without him",
    "what do i do if my friend is suicidal",
    "my friend's husband beats her",
    ("Quick question about scheduling: do you have evening appointments? I work until six most "
     "days and my commute is about an hour, so anything after seven would be ideal. ") * 4
    + "Also my sister wants to kill herself and I don't know what to do.",
    "my girlfriend took a bunch of pills and isn't waking up",
    "i'm scared my brother will kill himself",
    "my friend said goodbye and turned off her phone",
    "my sister's boyfriend hits her",
    "my husband keeps saying he wants to end his life",
    "i found razors and bloody tissues in my son's room",
    "my mom tried to kill herself",
    "my freind wants to kill her self",
    "my sis is cutting herself agian",
    "my buddy keeps joking that he'll kms and i'm worried",
    "my roommate says she wishes she were dead",
    "my son said he has a plan to end his life",
    "my mum keeps talking about not wanting to be here anymore",
    "my roommate locked herself in the bathroom and said goodbye",
    "my coworker has bruises on her arms and her husband picks her up every day",
]


@pytest.mark.parametrize("text", SUICIDE)
def test_suicide(det, text):
    assert _cat(det, text) == "suicide"


@pytest.mark.parametrize("text", SELF_HARM)
def test_self_harm(det, text):
    assert _cat(det, text) == "self_harm"


@pytest.mark.parametrize("text", ATTEMPT)
def test_attempt(det, text):
    assert _cat(det, text) == "attempt"


@pytest.mark.parametrize("text", IMMEDIATE_DANGER)
def test_immediate_danger(det, text):
    assert _cat(det, text) == "immediate_danger"


@pytest.mark.parametrize("text", HARM_TO_OTHERS)
def test_harm_to_others(det, text):
    assert _cat(det, text) == "harm_to_others"


@pytest.mark.parametrize("text", ABUSE)
def test_abuse(det, text):
    assert _cat(det, text) == "abuse"


@pytest.mark.parametrize("text", CHILD_ABUSE)
def test_child_abuse(det, text):
    assert _cat(det, text) == "child_abuse"


@pytest.mark.parametrize("text", THIRD_PARTY)
def test_third_party(det, text):
    assert _cat(det, text) == "third_party"


# ---------------------------------------------------------------------------
# Negative cases
# ---------------------------------------------------------------------------

FIGURATIVE = [
    "this commute is killing me",
    "i'm dying to know what happens next",
    "I could kill for a coffee right now",
    "how do i kill the process on linux",
    "she's killing it at work",
    "we are cutting costs this quarter",
    "it's time to cut the cord with cable",
    "my phone died",
    "he shot a 72 on the golf course",
    "i'm dead tired",
    "i'm dead 😂",
    "lmao i'm dead",
    "did you see suicide squad",
    "the car has suicide doors",
    "this homework is going to be the death of me",
    "my feet are killing me",
    "i nearly died laughing",
    "that cake is to die for",
    "i'm dying my hair purple this weekend",
    "i'm kicking myself for missing the bus",
    "i need to cut myself some slack",
    "i burned myself out at work",
    "i cut myself shaving",
    "i burned myself on the stove making pasta",
    "i hurt myself at the gym",
    "i beat myself up over small mistakes",
    "my mom is going to kill me when she sees my grades",
    "i'd kill for a vacation",
    "hit me up later",
    "my brother beat me at chess",
    "shoot me an email when you can",
    "the battery is dead",
    "it hit me that i need help with anxiety",
    "i could just die of embarrassment",
    "we need to kill two birds with one stone",
    "my plants keep dying",
    "i want to cut my hair short",
    "i'm cutting back on sugar",
    "that joke killed me",
    "i'm drowning myself in work",
    "i'm killing myself to finish this project",
    "i can't go on vacation this year",
    "i want to end it with my boyfriend",
    "the dog bit me",
    "i got hit by a ball at practice",
    "he hurt my feelings",
    "i don't feel safe sharing everything with my therapist yet",
    "i'm breaking into the tech industry",
    "i took my pills this morning",
    "i took 2 ibuprofen for my headache",
    "i'm writing a book where the character kills herself",
    "my baby kicks me all night",
    "i want to disappear for a weekend to the mountains",
    "my grandma died last year and i miss her",
    "i'm so hungry i could die",
    "i'd rather die than go to that party",
    "this workout is going to kill me",
    "ugh kill me now, another zoom call",
    "my laptop is dead again",
    "I'm literally dead 💀💀",
    "i'm cutting ties with my toxic friend",
    "i could strangle my brother for reading my diary lol",
    "i'm gonna kill my roommate if he leaves dishes again 😂",
    "my toddler bit me today",
    "i was attacked by a seagull at the beach",
    "he threw the ball at me",
    "i'm trapped in a boring job",
    "i'm hiding in my room to avoid chores lol",
    "i broke my streak on duolingo",
    "my arms are a mess after gardening, so many scratches",
    "my grandma is ready to go home from the hospital",
    "i can't see a future in this job",
    "the only way out of this maze is left",
    "i want it all to end well",
    "i won't be here next week, can we reschedule my session",
    "the movie ended with the main character jumping off a cliff",
    "my little brother kicked me under the table",
    "i need to cancel my subscriptions to save money",
]

INFORMATIONAL = [
    "can therapy help with suicidal thoughts?",
    "what is dbt used for, i read it helps with self harm",
    "do therapists have to report abuse?",
    "is self-harm talk confidential?",
    "how does therapy help people who self harm",
    "what are the warning signs of suicide?",
    "can a therapist help someone who was abused as a child?",
    "is cbt good for people with suicidal ideation",
    "will my therapist ask if i'm suicidal?",
    "how do therapists handle domestic violence cases?",
    "what is the difference between self harm and suicidal behaviour in treatment",
    "are therapy sessions confidential if i talk about abuse?",
    "does insurance cover treatment after a suicide attempt?",
    "i'm writing an essay on suicide prevention",
    "what does a crisis counselor do",
    "how does dbt treat self-harm?",
    "do counselors have to report child abuse",
    "what's substance abuse counseling like",
    "what are common signs that a child is being abused?",
    "how do i talk to my teen about suicide without scaring them",
    "is there research on suicide prevention in schools?",
    "what is the columbia scale for suicide risk?",
    "what's the lethal dose of caffeine for a cat",
    "have you read \"The Virgin Suicides\"?",
    "what's that song called 'i want to die', who sings it",
    "i'm reading about the history of the suicide hotline",
]

NEGATED = [
    "i'm not suicidal",
    "im not suicidal just sad",
    "i would never kill myself",
    "i don't want to hurt myself, i just feel stressed",
    "i'm not going to hurt myself",
    "i don't want to die",
    "i'd never hurt my baby",
    "i am not thinking about suicide",
    "i have never self harmed",
    "no i don't want to kill myself",
    "i would never hurt anyone",
    "i'm not in danger, just lonely",
    "no, i'm not thinking about suicide, just stressed about money",
    "i'm not in an abusive relationship but we argue a lot",
    "i don't have any urge to self harm these days, i just want to manage stress",
    "my therapist asked if i'd thought about hurting myself and i hadn't",
]

RESOLVED_PAST = [
    "i tried to kill myself 10 years ago, i'm doing much better now, can therapy help keep me stable",
    "i used to self harm as a teenager but i've been clean for years",
    "when i was 15 i attempted suicide, now i'm in a good place and want to stay that way",
    "i was abused as a child and i'd like to find a therapist to process it",
    "i overdosed in college, i've recovered and want to talk about relapse prevention",
    "i attempted suicide when i was 19, i'm 35 now and doing well",
    "i self harmed in high school but i've been free of it for a decade",
    "a long time ago i wanted to die, but therapy really helped me",
    "my friend committed suicide in 2019 and i still think about her",
    "my ex used to control my money but i've been out for years now",
]

EVERYDAY = [
    "how much does therapy cost",
    "what is psychotherapy",
    "i feel anxious about my exams",
    "i've been feeling down lately",
    "my boyfriend and i keep arguing",
    "i can't sleep at night",
    "is online therapy as good as in person",
    "my dad is strict but fair",
    "i hate my job",
    "i'm stressed about money",
    "hello",
    "",
    "   ",
    "thanks for the help!",
    "how do i find a therapist near me",
    "my mom won't let me go to the party",
    "my boyfriend touches my hair when i'm sad",
    "i'm 14 weeks pregnant and anxious",
    "my kid hits his sister sometimes, is that normal",
    ("hi, i'm moving to a new city next month so i'm giving away my furniture and books, and i "
     "wanted to know if i can keep seeing my therapist online after the move"),
    "i have a plan for my week: therapy on monday, gym on tuesday, and i'm going to do it tonight if i can",
    "i said goodbye to my old job today and i'm nervous about starting the new one",
    "my kid fell off his bike and has bruises all over his legs, how do i help him ride again",
    "my mom keeps threatening to take my phone if i don't clean my room",
    "my sister is so annoying, she hit me with a pillow",
    "i'm 15 and my parents won't let me go to the concert, how do i talk to them",
    "my dad is strict and yells a lot but he's never hurt me",
    "i'm a nurse and we had a patient overdose last night, it's been weighing on me",
    "i wish i could disappear to a beach for a month",
    "my puppy keeps biting me when we play",
    "i threw a surprise party for my wife",
    "he pushed me to finally book a therapy session and i'm grateful",
    "i'm sick of living paycheck to paycheck",
    "i'm done with dating apps",
]


@pytest.mark.parametrize("text", FIGURATIVE)
def test_figurative_is_not_crisis(det, text):
    assert det.detect(text) is None


@pytest.mark.parametrize("text", INFORMATIONAL)
def test_informational_is_not_crisis(det, text):
    assert det.detect(text) is None


@pytest.mark.parametrize("text", NEGATED)
def test_negation_is_not_crisis(det, text):
    assert det.detect(text) is None


@pytest.mark.parametrize("text", RESOLVED_PAST)
def test_resolved_past_is_not_crisis(det, text):
    assert det.detect(text) is None


@pytest.mark.parametrize("text", EVERYDAY)
def test_everyday_is_not_crisis(det, text):
    assert det.detect(text) is None


# ---------------------------------------------------------------------------
# Category choice, explicit flag and API
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    # attempt outranks suicide
    ("i want to die so i took a bunch of pills", "attempt"),
    # danger outranks abuse
    ("my husband hits me and now he has a knife and is threatening me", "immediate_danger"),
    # child abuse outranks suicide
    ("my dad beats me and i'm 13 and i want to die", "child_abuse"),
    # abuse outranks suicide
    ("my boyfriend hits me and i want to kill myself", "abuse"),
    # the writer's own risk outranks worry about a friend
    ("my friend is suicidal and honestly so am i, i want to die", "suicide"),
    # someone else's attempt is third party
    ("my brother overdosed last night", "third_party"),
    # someone else's self-harm is third party
    ("she keeps cutting herself", "third_party"),
    # a child being abused stays child_abuse even when reported by someone else
    ("my neighbor beats his kids", "child_abuse"),
    # an old attempt without resolution is still a crisis, but not an ongoing attempt
    ("i tried to kill myself years ago", "suicide"),
])
def test_category_priority(det, text, expected):
    assert _cat(det, text) == expected


@pytest.mark.parametrize("text", [
    "i want to kill myself", "i took a lot of pills", "my husband hits me", "i cut myself",
])
def test_plain_statements_are_explicit(det, text):
    d = det.detect(text)
    assert d is not None and d.explicit


@pytest.mark.parametrize("text", ["self harm", "i'd rather be dead", "end it", "i'm a burden"])
def test_ambiguous_statements_are_flagged_but_not_explicit(det, text):
    d = det.detect(text)
    assert d is not None and not d.explicit


def test_detection_fields(det):
    d = det.detect("i want to kill myself")
    assert isinstance(d, Detection)
    assert d.category in CATEGORIES
    assert d.rule == "suicide.kill_self"
    assert "kill" not in d.rule.split(".")[0]  # the rule is an id, never message text


def test_rule_ids_never_contain_message_text(det):
    text = "zebra1234 i want to die zebra1234"
    d = det.detect(text)
    assert d is not None and "zebra" not in d.rule


def test_priority_covers_all_categories():
    assert sorted(PRIORITY) == sorted(CATEGORIES)


def test_get_detector_is_cached():
    assert get_detector() is get_detector()


def test_detector_module_builds_nothing_at_import():
    import importlib

    import bot.crisis.detector as mod

    importlib.reload(mod)
    assert mod.get_detector.cache_info().currsize == 0


def test_normalise_handles_noise(det):
    assert "kill myself" in det.normalise("KMS")
    assert "suicide" in det.normalise("sucide")
    assert "i'm" in det.normalise("im")
    assert "want to" in det.normalise("wanna")
    assert "die" in det.normalise("dieeee")


def test_long_message_is_fast(det):
    import time

    text = ("I have questions about therapy pricing and scheduling options for next month. " * 25)[:2000]
    det.detect(text)
    t = time.perf_counter()
    for _ in range(20):
        det.detect(text)
    assert (time.perf_counter() - t) / 20 < 0.01
