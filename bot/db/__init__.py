"""Database access shared by the Rasa process and the action server."""
