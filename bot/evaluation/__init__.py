"""Evaluation commands: the crisis and intent models on their dev/test splits (``make eval-crisis``, ``make eval-faq``) and the quick in-process loops."""
