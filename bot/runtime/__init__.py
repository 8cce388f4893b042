"""Entry points: start-up and supervision (``run``), the Rasa command (``rasa_cli``), guarded patches, the after-turn hook, the web page."""
