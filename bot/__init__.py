"""Therapy FAQ assistant: the code the Rasa server, the action server and the web page run.

Layers, top to bottom (a module imports only from its own layer or below;
``tests/unit/test_architecture.py`` holds this):

- ``runtime``, ``evaluation``: entry points (start-up, Rasa patches, the after-turn
  hook, the web page; the evaluation commands)
- ``channels``: how messages arrive (REST, socket.io, Telegram, Slack, Messenger, SMS)
- ``conversation``: what the bot says (rendering, crisis replies, helplines, topic labels)
- ``tenants``: EAP organisations, their signed embeds and counters
- ``understanding``: what a message means (encoder, crisis model and rules, intents)
- ``storage``: the database, tracker and lock stores, audit rows, privacy
- ``core``: settings, the wiring of process-wide objects, version guards
"""
