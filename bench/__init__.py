"""Benchmarks for the newsroom pipeline: a synthetic archive generator, render throughput, filed-to-live latency.

``python -m bench.generate --count N --out DIR --seed S`` writes an archive of
Markdown articles; ``python -m bench.run`` (``make bench``) measures the
pipeline on one and prints a report (also written to ``bench-out/results.json``).
"""
