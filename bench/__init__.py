"""Benchmarks behind ``python build.py bench``."""
