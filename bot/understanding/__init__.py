"""Understanding a message: the shared sentence encoder, the crisis model and its rules, Rasa NLU components."""
