"""Custom Rasa NLU components. Each runs in the Rasa process on every message."""
