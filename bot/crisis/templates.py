"""The wording of every crisis response, before region-specific numbers are filled in.

Written to safe-messaging guidance: calm, direct and warm; a specific number and
how to reach it (call, text, chat), never "call a helpline" alone; no method
details; no promise of secrecy; never "committed suicide"; and the bot stays
present after the hand-off. ``bot.crisis.responses`` fills the placeholders for
every region in data/resources/helplines.yml and writes
data/crisis/responses.yml, so each region gets a variant with its own numbers
written out, and the default variant renders even without this project's NLG.

Placeholders: {crisis_lines} (the lines for this need, one per line),
{emergency_number}, {region_name}, {primary_line} (the main crisis line, short).
"""

from __future__ import annotations

MORE = {"title": "More helplines", "payload": "/crisis_more_resources"}
KEEP_TALKING = {"title": "Keep talking", "payload": "/affirm"}
HELP_NOW = {"title": "Need help now?", "payload": "/crisis_help_now"}

# One entry per crisis category: (text, buttons). The category's plan in
# bot.resources.CATEGORY_PLAN decides which helplines fill {crisis_lines}.
CATEGORY_TEMPLATES: dict[str, str] = {
    "suicide": (
        "I'm really sorry you're feeling this way, and I'm glad you told me. "
        "You don't have to carry this alone. You can talk to someone right now, for free:\n"
        "{crisis_lines}\n"
        "If you might act on these thoughts or you're in danger now, call {emergency_number}."
    ),
    "self_harm": (
        "Thank you for telling me. Hurting yourself is a sign of how much pain you're in, "
        "and you deserve care, not judgement. You can talk to someone right now:\n"
        "{crisis_lines}\n"
        "If you're badly hurt or might be in danger, call {emergency_number}."
    ),
    "attempt": (
        "Your safety comes first. If you have taken something or hurt yourself, "
        "call {emergency_number} now, or ask someone near you to call. Please don't wait.\n"
        "{crisis_lines}\n"
        "You reached out, and that matters."
    ),
    "immediate_danger": (
        "If you are in danger right now, call {emergency_number} now. "
        "If it isn't safe to talk, try to get to a safer place, or ask someone nearby to call for you.\n"
        "{crisis_lines}"
    ),
    "harm_to_others": (
        "Thank you for being honest about this. It shows you don't want anyone to get hurt. "
        "Please talk to someone now who can help you stay safe:\n"
        "{crisis_lines}\n"
        "If you feel you might act on it soon, call {emergency_number} and put some distance "
        "between you and the other person."
    ),
    "abuse": (
        "I'm so sorry this is happening to you. It is not your fault, and you deserve to be safe. "
        "These services can help you think through your options:\n"
        "{crisis_lines}\n"
        "If you are in danger right now, call {emergency_number}."
    ),
    "child_abuse": (
        "Thank you for telling me. No child should be hurt, and it is never the child's fault. "
        "You can talk to people who help with this:\n"
        "{crisis_lines}\n"
        "If a child is in danger right now, call {emergency_number}."
    ),
    "third_party": (
        "It's caring of you to look out for them. If they might be in danger right now, "
        "call {emergency_number}. These lines help people who are worried about someone else, "
        "and you can also call together with them:\n"
        "{crisis_lines}\n"
        "It's okay to ask them directly whether they are thinking about suicide. "
        "Asking does not put the idea in their head. Stay with them if you can."
    ),
}

# Responses of the crisis path that are not a first hand-off.
FOLLOW_UP_TEMPLATES: dict[str, tuple[str, list[dict]]] = {
    "utter_crisis_followup": (
        "I'm an automated assistant, so I can't call anyone for you, but I'm still here. "
        "Would you like to keep talking for a bit? If things feel worse at any point, "
        "reach {primary_line}, or call {emergency_number} in an emergency.",
        [KEEP_TALKING, MORE],
    ),
    "utter_crisis_keep_talking": (
        "I'm glad you're still here. I'm not a counselor, but you can tell me what's on your mind "
        "or ask me anything about getting support. A trained person at {primary_line} "
        "can really listen, any time of day. In an emergency, call {emergency_number}.",
        [MORE],
    ),
    "utter_crisis_check_in": (
        "That's okay. The numbers are there whenever you need them: {primary_line}, "
        "or {emergency_number} in an emergency. Please look after yourself, and come back any time.",
        [HELP_NOW],
    ),
    "utter_crisis_misunderstood": (
        "Thanks for telling me, and sorry if I got that wrong. I'd rather check than miss something. "
        "If you ever need it, {primary_line} is there any time, and {emergency_number} in an emergency.",
        [HELP_NOW],
    ),
    "utter_crisis_help_now": (
        "Here is where you can get help right now ({region_name}):\n"
        "{crisis_lines}\n"
        "In an emergency, call {emergency_number}.",
        [MORE],
    ),
}
