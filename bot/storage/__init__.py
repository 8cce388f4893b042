"""Storage: the bot database (schema, sessions, repositories), the tracker and lock stores, audit rows, privacy.

Shared by the Rasa process and the action server. ``python -m bot.storage init``
creates the schema.
"""
