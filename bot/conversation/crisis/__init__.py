"""Crisis replies: their wording (``templates``) and the per-region responses generated from it (``responses``).

Understanding whether a message is a crisis lives in ``bot.understanding``.
"""
