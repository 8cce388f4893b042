"""The bottom layer: settings, the one wiring place for process-wide objects, version guards.

Everything may import from here; nothing here imports another layer.
"""
