"""The wording of every crisis response, before region-specific numbers are filled in.

Written to safe-messaging guidance: calm, direct and warm; a specific number and
how to reach it (call, text, chat), never "call a helpline" alone; no method
details; no promise of secrecy; never "committed suicide"; and the bot stays
present after the hand-off. ``bot.conversation.crisis.responses`` fills the placeholders for
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
SHOW_NUMBERS = {"title": "Show the numbers again", "payload": "/crisis_help_now"}

# Every crisis reply opens with ONE number in its first sentence, short enough
# to show in a phone's lock-screen preview; the warmth comes next, then the
# rest. Most replies open with {lead}: ``bot.conversation.crisis.responses`` fills it with
# LEAD_LINE when the region has a line that can be called or texted for this
# need (and that covers the whole country), otherwise with LEAD_EMERGENCY.
# Replies where the emergency number must come first (an attempt, immediate
# danger, someone who may be unresponsive) write their first sentence out.
LEAD_LINE = "{Lead_way} to talk to someone at {lead_name}."
LEAD_EMERGENCY = "If you are in danger now, call {emergency_number}."

# One entry per crisis category. The category's plan in
# bot.conversation.helplines.CATEGORY_PLAN decides which helplines fill {crisis_lines}.
# {region_line} names the country the numbers are for and how to change it.
CATEGORY_TEMPLATES: dict[str, str] = {
    "suicide": (
        "{lead} I'm really sorry you're feeling this way, and I'm glad you told me. "
        "You don't have to carry this alone. Ways to reach someone:\n"
        "{crisis_lines}\n"
        "If you might act on these thoughts or you're in danger now, call {emergency_number}.\n"
        "{region_line}"
    ),
    "self_harm": (
        "{lead} Thank you for telling me. Hurting yourself is a sign of how much pain you're in, "
        "and you deserve care, not judgement. Ways to reach someone:\n"
        "{crisis_lines}\n"
        "If you're badly hurt or might be in danger, call {emergency_number}.\n"
        "{region_line}"
    ),
    "attempt": (
        "Call {emergency_number} now, or ask someone near you to call. "
        "If you have taken something or hurt yourself, or someone is not responding, please don't wait. "
        "You reached out, and that matters. When you can, these lines are there too:\n"
        "{crisis_lines}\n"
        "{region_line}"
    ),
    "immediate_danger": (
        "If you are in danger right now, call {emergency_number}. "
        "If you can, get to a safer place, or ask someone nearby to call for you. These lines can help:\n"
        "{crisis_lines}\n"
        "{silent_line}"
        "{region_line}"
    ),
    "harm_to_others": (
        "{lead} Thank you for being honest about this; thoughts like these can be frightening, "
        "and talking them through helps. "
        "If you feel you might act on them soon, call {emergency_number} and put some distance "
        "between you and the other person. Ways to reach someone now:\n"
        "{crisis_lines}\n"
        "{region_line}"
    ),
    "abuse": (
        "{lead} I'm so sorry this is happening. It is not your fault, and you deserve to be safe. "
        "These services can help you think through your options:\n"
        "{crisis_lines}\n"
        "If you are in danger right now, call {emergency_number}.\n"
        "{region_line}"
    ),
    "child_abuse": (
        "{lead} Thank you for telling me. If someone is hurting you, it is not your fault, "
        "and you deserve to be safe. If you're worried about a child, you were right to speak up. "
        "People who help with this:\n"
        "{crisis_lines}\n"
        "If anyone is in danger right now, call {emergency_number}.\n"
        "{region_line}"
    ),
    "third_party": (
        "If they are not responding, or might be in danger right now, call {emergency_number}. "
        "It's caring of you to look out for them. These lines help people who are worried about "
        "someone else, and you can also call together with them:\n"
        "{crisis_lines}\n"
        "It's okay to ask them directly whether they are thinking about suicide. "
        "Asking does not put the idea in their head. Stay with them if you can.\n"
        "{region_line}"
    ),
}

# The responses that hand a person over to crisis lines: the renderer fills their
# region's variant, bookkeeping writes an audit row for each one sent.
HANDOFF_RESPONSES = frozenset(f"utter_crisis_{category}" for category in CATEGORY_TEMPLATES)

# The replies for a category's situations (bot.conversation.crisis.situation reads the
# situation from the words; data/crisis/situations.yml has the patterns), keyed
# "<category>/<situation>" like the plans in bot.conversation.helplines.CATEGORY_PLAN.
# Where no situation is recognised, the category's reply above is sent.
PERINATAL_TEMPLATE = (
    # A parent afraid of harming their baby: the baby safe first, then the
    # reassurance that such thoughts are common after birth and treatable.
    "Put your baby somewhere safe, like their cot, and step away; if you feel you might act on these thoughts, "
    "call {emergency_number}. Thank you for telling me. Frightening thoughts like these are common after a baby "
    "arrives, having them does not mean you will act on them, and they can be treated. You can talk to someone now:\n"
    "{crisis_lines}\n"
    "{region_line}"
)
SITUATION_TEMPLATES: dict[str, str] = {
    "harm_to_others/perinatal": PERINATAL_TEMPLATE,
    # A child writing about themselves: short sentences, a children's line first, no "the child".
    "child_abuse/child": (
        "{lead} What is happening is not your fault. You were brave to tell me, and you deserve to be safe. "
        "These people help children and young people with things like this:\n"
        "{crisis_lines}\n"
        "If you are in danger right now, call {emergency_number}.\n"
        "{region_line}"
    ),
    # An adult worried about a child: the line for concerned adults first.
    "child_abuse/adult": (
        "{lead} Thank you for speaking up for this child; you were right to. You don't have to be sure "
        "something is wrong to ask for advice. People who can help you work out what to do:\n"
        "{crisis_lines}\n"
        "If a child is in danger right now, call {emergency_number}.\n"
        "{region_line}"
    ),
    # Someone threatening them, at the door, or a partner: the domestic-violence line after the emergency number.
    "immediate_danger/threat": CATEGORY_TEMPLATES["immediate_danger"],
    # In danger of harming themselves right now: the suicide crisis line after the emergency number.
    "immediate_danger/self": (
        "If you are in danger right now, call {emergency_number}. "
        "If you can, move somewhere safer and ask someone nearby to stay with you. "
        "You don't have to get through this moment alone. You can also reach:\n"
        "{crisis_lines}\n"
        "{silent_line}"
        "{region_line}"
    ),
    # Harm from someone else who is not a partner: the general crisis line after the emergency number.
    "immediate_danger/other": CATEGORY_TEMPLATES["immediate_danger"],
}
# A situation whose reply opens with the emergency number where the region has
# no line for it (an adult worried about a child: the child may be the one in danger).
SITUATION_LEAD_EMERGENCY: dict[str, str] = {
    "child_abuse/adult": "If a child is in danger now, call {emergency_number}.",
}

# Responses of the crisis path that are not a first hand-off. Each opens with
# {lead} (the region's main crisis line) so the number stays in the preview.
FOLLOW_UP_TEMPLATES: dict[str, tuple[str, list[dict]]] = {
    "utter_crisis_followup": (
        "{lead} I'm an automated assistant, so I can't call anyone for you, but I'm still here. "
        "Would you like to keep talking for a bit? In an emergency, call {emergency_number}.",
        [KEEP_TALKING, MORE],
    ),
    "utter_crisis_keep_talking": (
        "{lead} I'm glad you're still here. I'm not a counselor, but you can tell me what's on your mind "
        "or ask me anything about getting support. {listener_line} "
        "In an emergency, call {emergency_number}.",
        [MORE],
    ),
    # What the visitor writes after "keep talking": {reflection} is filled at
    # render time from what they wrote (bot.conversation.crisis.reflect), never with their words.
    "utter_crisis_received": (
        "{lead} {reflection} I'm an automated assistant, so I can't fully understand, "
        "but you can keep writing here for as long as it helps. {listener_line} "
        "Would you like the numbers again? In an emergency, call {emergency_number}.",
        [SHOW_NUMBERS, MORE],
    ),
    "utter_crisis_numbers_kept": (
        "{lead} That's okay: the numbers are there whenever you need them. "
        "In an emergency, call {emergency_number}. Please look after yourself, and come back any time.",
        [HELP_NOW],
    ),
    "utter_crisis_misunderstood": (
        "{lead} Thanks for telling me, and sorry if I got that wrong. I'd rather check than miss something. "
        "In an emergency, call {emergency_number}.",
        [HELP_NOW],
    ),
    "utter_crisis_help_now": (
        "In an emergency, call {emergency_number}. "
        "Here is where you can get help right now:\n"
        "{crisis_lines}\n"
        "{region_line}",
        [MORE],
    ),
}

# The check-in zone: the crisis model is concerned but not sure. A direct
# question (asking does not put the idea in anyone's head), one number, and
# three answers. Yes leads to the hand-off; No to what they asked.
CHECK_IN_TEMPLATES: dict[str, tuple[str, list[dict]]] = {
    "utter_crisis_check_in": (
        "{lead} I want to check in with you: can I ask you directly, are you thinking about suicide, "
        "or about hurting yourself? If you're in danger right now, call {emergency_number}.",
        [YES, NO, HELP_NOW],
    ),
    # bot.conversation.nlg adds the answer to the question the visitor had asked, if there was one.
    "utter_crisis_check_in_declined": (
        "{lead} Thank you for telling me. If things change, help is there any time; "
        "in an emergency, call {emergency_number}.",
        [HELP_NOW],
    ),
}

# Where the region's first line is a person to talk to, the keep-talking reply
# says so; a directory (the international fallback) is never called a listener.
LISTENER_LINE = "A trained person at {lead_name} can really listen."
DIRECTORY_LINE = "{primary_line} lists helplines near you, where a trained person can listen."

# The country the numbers are for, and how to change it (every first crisis reply ends with it).
REGION_LINE = "These numbers are for {the_region}. Not in {the_region}? Tell me where you are."
NO_REGION_LINE = (
    "I don't know which country you're in, so these are international directories. "
    "Tell me where you are and I'll give you that country's numbers."
)

# What "I'm in Canada" gets back: the new country's main number, so a visitor
# who corrects the country after a crisis reply has the right one at once.
REGION_NOTED = "{lead} Thanks, I'll use the numbers for {the_region} from now on. In an emergency, call {emergency_number}."
NO_REGION_NOTED = (
    "In an emergency, call {emergency_number}. Thanks; I don't have numbers of my own for that country yet, "
    "but {primary_line} lists helplines there."
)

# Spanish: a crisis message in Spanish is answered in Spanish (the reply
# language comes from the crisis model's verdict). The region's numbers stay;
# its Spanish-language services, where it has any, come first.
SPANISH_LEAD_LINE = "{Lead_way} para hablar con alguien de {lead_name}."
SPANISH_LEAD_EMERGENCY = "Si estás en peligro ahora, llama al {emergency_number}."
SPANISH_CATEGORY_TEMPLATES: dict[str, str] = {
    "suicide": (
        "{lead} Gracias por decírmelo. No tienes que pasar por esto a solas; puedes hablar con alguien:\n"
        "{crisis_lines}\n"
        "Si podrías actuar sobre estos pensamientos o estás en peligro ahora, llama al {emergency_number}.\n"
        "{region_line}"
    ),
    "self_harm": (
        "{lead} Gracias por contármelo. Mereces cuidado, no juicio. Puedes hablar con alguien:\n"
        "{crisis_lines}\n"
        "Si tienes una herida grave o estás en peligro, llama al {emergency_number}.\n"
        "{region_line}"
    ),
    "attempt": (
        "Llama al {emergency_number} ahora, o pide a alguien cerca que llame. "
        "Si te has tomado algo o te has hecho daño, o alguien no responde, por favor, no esperes. "
        "Hiciste bien en escribir. Cuando puedas, también están estas líneas:\n"
        "{crisis_lines}\n"
        "{region_line}"
    ),
    "immediate_danger": (
        "Si estás en peligro ahora mismo, llama al {emergency_number}. "
        "Si puedes, ve a un lugar más seguro o pide a alguien cerca que llame por ti. Estas líneas pueden ayudarte:\n"
        "{crisis_lines}\n"
        "{silent_line}"
        "{region_line}"
    ),
    "harm_to_others": (
        "{lead} Gracias por tu sinceridad; estos pensamientos pueden asustar, y hablarlos ayuda. "
        "Si sientes que podrías actuar pronto, llama al {emergency_number} y aléjate de la otra persona. "
        "Puedes hablar con alguien ahora:\n"
        "{crisis_lines}\n"
        "{region_line}"
    ),
    "abuse": (
        "{lead} Siento mucho que esto esté pasando. No es tu culpa y mereces estar a salvo. "
        "Estos servicios pueden ayudarte a pensar en tus opciones:\n"
        "{crisis_lines}\n"
        "Si estás en peligro ahora, llama al {emergency_number}.\n"
        "{region_line}"
    ),
    "child_abuse": (
        "{lead} Gracias por contármelo. Si alguien te hace daño, no es tu culpa y mereces estar a salvo. "
        "Si te preocupa un niño o una niña, hiciste bien en hablar. Personas que ayudan con esto:\n"
        "{crisis_lines}\n"
        "Si alguien está en peligro ahora, llama al {emergency_number}.\n"
        "{region_line}"
    ),
    "third_party": (
        "Si esa persona no responde o podría estar en peligro ahora, llama al {emergency_number}. "
        "Estas líneas también ayudan a quien se preocupa por otra persona:\n"
        "{crisis_lines}\n"
        "Puedes preguntarle directamente si está pensando en el suicidio: preguntar no le pone la idea en la cabeza.\n"
        "{region_line}"
    ),
}
# The Spanish replies for a category's situations, keyed like SITUATION_TEMPLATES
# (data/crisis/situations.yml has Spanish patterns for each situation).
SPANISH_SITUATION_TEMPLATES: dict[str, str] = {
    "harm_to_others/perinatal": (
        "Pon a tu bebé en un lugar seguro, como su cuna, y aléjate un momento; si sientes que podrías actuar "
        "sobre estos pensamientos, llama al {emergency_number}. Gracias por contármelo. Pensamientos así, que "
        "asustan, son frecuentes después de que llega un bebé; tenerlos no significa que vayas a actuar, y tienen "
        "tratamiento. Puedes hablar con alguien ahora:\n"
        "{crisis_lines}\n"
        "{region_line}"
    ),
    # A child writing about themselves: short sentences, a children's line first.
    "child_abuse/child": (
        "{lead} Lo que está pasando no es tu culpa. Fuiste valiente al contármelo, y mereces estar a salvo. "
        "Estas personas ayudan a niños, niñas y jóvenes con cosas así:\n"
        "{crisis_lines}\n"
        "Si estás en peligro ahora mismo, llama al {emergency_number}.\n"
        "{region_line}"
    ),
    # An adult worried about a child: the line for concerned adults first.
    "child_abuse/adult": (
        "{lead} Gracias por hablar por este niño o esta niña; hiciste bien. No hace falta estar seguro de que "
        "pasa algo para pedir consejo. Personas que pueden ayudarte a decidir qué hacer:\n"
        "{crisis_lines}\n"
        "Si un niño o una niña está en peligro ahora mismo, llama al {emergency_number}.\n"
        "{region_line}"
    ),
    # A partner, an ex or someone at the door: the domestic-violence line after the emergency number.
    "immediate_danger/threat": SPANISH_CATEGORY_TEMPLATES["immediate_danger"],
    # In danger of harming themselves right now: the suicide crisis line after the emergency number.
    "immediate_danger/self": (
        "Si estás en peligro ahora mismo, llama al {emergency_number}. "
        "Si puedes, ve a un lugar más seguro y pide a alguien cerca que se quede contigo. "
        "No tienes que pasar este momento a solas. También puedes contactar con:\n"
        "{crisis_lines}\n"
        "{silent_line}"
        "{region_line}"
    ),
    # Harm from someone else who is not a partner: the general crisis line after the emergency number.
    "immediate_danger/other": SPANISH_CATEGORY_TEMPLATES["immediate_danger"],
}
SPANISH_SITUATION_LEAD_EMERGENCY: dict[str, str] = {
    "child_abuse/adult": "Si un niño o una niña está en peligro ahora, llama al {emergency_number}.",
}
SPANISH_FOLLOW_UP_TEMPLATES: dict[str, tuple[str, list[dict]]] = {
    "utter_crisis_followup": (
        "{lead} Soy un asistente automático, así que no puedo llamar a nadie por ti, pero sigo aquí. "
        "En una emergencia, llama al {emergency_number}.",
        [{"title": "Seguir hablando", "payload": "/affirm"}, {"title": "Más líneas de ayuda", "payload": "/crisis_more_resources"}],
    ),
}
SPANISH_MORE = {"title": "Más líneas de ayuda", "payload": "/crisis_more_resources"}
SPANISH_REGION_LINE = "Estos números son para {the_region}. ¿No estás en {the_region}? Dime dónde estás."
SPANISH_NO_REGION_LINE = (
    "No sé en qué país estás, así que estos son directorios internacionales. "
    "Dime dónde estás y te daré los números de ese país."
)
# Country names in the Spanish replies (the helplines file names them in English).
SPANISH_REGION_NAMES = {
    "US": "Estados Unidos", "CA": "Canadá", "GB": "el Reino Unido", "IE": "Irlanda", "AU": "Australia",
    "NZ": "Nueva Zelanda", "IN": "la India",
}
