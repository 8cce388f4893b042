"""Custom actions served by the rasa-sdk action server. Thin: the logic lives in ``bot``."""
