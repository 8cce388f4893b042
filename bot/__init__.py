"""Therapy FAQ assistant: the plain-Python core that Rasa components and actions stand on."""
