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
YES = {"title": "Yes", "payload": "/affirm"}
NO = {"title": "No", "payload": "/deny"}
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
    "utter_crisis_numbers_kept": (
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

# The check-in zone: the crisis model is concerned but not sure. A direct
# question (asking does not put the idea in anyone's head), one number, and
# three answers. Yes leads to the hand-off; No to what they asked.
CHECK_IN_TEMPLATES: dict[str, tuple[str, list[dict]]] = {
    "utter_crisis_check_in": (
        "I want to check in with you, and {primary_line} is there any time if you need someone. "
        "Can I ask you directly: are you thinking about suicide, or about hurting yourself? "
        "If you're in danger right now, call {emergency_number}.",
        [YES, NO, HELP_NOW],
    ),
    # bot.nlg adds the answer to the question the visitor had asked, if there was one.
    "utter_crisis_check_in_declined": (
        "Thank you for telling me. If that changes, {primary_line} is there any time, "
        "or {emergency_number} in an emergency.",
        [HELP_NOW],
    ),
}

# Spanish: a crisis message in Spanish is answered in Spanish (the reply
# language comes from the crisis model's verdict). The region's numbers stay;
# its Spanish-language services, where it has any, come first.
SPANISH_CATEGORY_TEMPLATES: dict[str, str] = {
    "suicide": (
        "Gracias por decírmelo. No tienes que pasar por esto a solas: puedes hablar ahora mismo con alguien, gratis:\n"
        "{crisis_lines}\n"
        "Si podrías actuar sobre estos pensamientos o estás en peligro ahora, llama al {emergency_number}."
    ),
    "self_harm": (
        "Gracias por contármelo. Mereces cuidado, no juicio. Puedes hablar con alguien ahora:\n"
        "{crisis_lines}\n"
        "Si tienes una herida grave o estás en peligro, llama al {emergency_number}."
    ),
    "attempt": (
        "Tu seguridad es lo primero: si te has tomado algo o te has hecho daño, llama al {emergency_number} ahora, "
        "o pide a alguien cerca que llame. Por favor, no esperes.\n"
        "{crisis_lines}\n"
        "Hiciste bien en escribir."
    ),
    "immediate_danger": (
        "Si estás en peligro ahora mismo, llama al {emergency_number} ahora. Si no es seguro hablar, "
        "intenta ir a un lugar más seguro o pide a alguien cerca que llame por ti.\n"
        "{crisis_lines}"
    ),
    "harm_to_others": (
        "Gracias por tu sinceridad. Por favor, habla ahora con alguien que pueda ayudarte a que nadie salga herido:\n"
        "{crisis_lines}\n"
        "Si sientes que podrías actuar pronto, llama al {emergency_number} y aléjate de la otra persona."
    ),
    "abuse": (
        "Siento mucho que te esté pasando esto. No es tu culpa y mereces estar a salvo. "
        "Estos servicios pueden ayudarte a pensar en tus opciones:\n"
        "{crisis_lines}\n"
        "Si estás en peligro ahora, llama al {emergency_number}."
    ),
    "child_abuse": (
        "Gracias por contármelo. Nadie debe hacerte daño, y lo que pasa no es tu culpa. "
        "Puedes hablar con personas que ayudan con esto:\n"
        "{crisis_lines}\n"
        "Si estás en peligro ahora, llama al {emergency_number}."
    ),
    "third_party": (
        "Si esa persona podría estar en peligro ahora, llama al {emergency_number}. "
        "Estas líneas también ayudan a quien se preocupa por otra persona:\n"
        "{crisis_lines}\n"
        "Puedes preguntarle directamente si está pensando en el suicidio: preguntar no le pone la idea en la cabeza."
    ),
}
SPANISH_FOLLOW_UP_TEMPLATES: dict[str, tuple[str, list[dict]]] = {
    "utter_crisis_followup": (
        "Soy un asistente automático, así que no puedo llamar a nadie por ti, pero sigo aquí. "
        "Si las cosas empeoran, comunícate con {primary_line}, o llama al {emergency_number} en una emergencia.",
        [{"title": "Seguir hablando", "payload": "/affirm"}, {"title": "Más líneas de ayuda", "payload": "/crisis_more_resources"}],
    ),
}
SPANISH_MORE = {"title": "Más líneas de ayuda", "payload": "/crisis_more_resources"}
