"""Rasa input channels of our own, configured by class path in credentials.yml."""
