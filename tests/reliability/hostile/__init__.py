"""Hostile input: property-based tests (hypothesis) over forms, server answers, result URLs and
file names. ``HOSTILE_EXAMPLES`` sets the examples per test (``run.py hostile --examples N``)."""
