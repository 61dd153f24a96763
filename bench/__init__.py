"""``python -m bench``: figures about speed and memory, printed next to their targets.

A script that prints figures, never a test: timings on a shared machine vary,
so nothing here fails a build. See ``docs/benchmark.md`` for the figures of a
full run and how to reproduce them.
"""
