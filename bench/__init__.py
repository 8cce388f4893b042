"""Benchmarks of the running bot (``make bench``) and of the crisis detector (``make bench-crisis``).

Not tests: they measure, print and record figures (bench/results.json,
bench/results.md); only bench/crisis_model.py exits non-zero on a miss.
"""
