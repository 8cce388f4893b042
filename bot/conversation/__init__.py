"""What the bot says: the response renderer, crisis replies, the helpline catalogue and topic labels.

Rendering is pure: it reads slots, tenant and region and returns text; the
audit rows and counters a turn leaves are written by ``bot.runtime.bookkeeping``.
"""
