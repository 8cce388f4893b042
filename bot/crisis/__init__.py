"""Crisis detection: rule tables (``patterns``) and the spaCy-based detector (``detector``)."""
