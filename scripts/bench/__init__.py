"""Helpers of scripts/bench_lookup.py: synthetic grid sets and the wrk script."""
