"""Benchmarks: run apart from the test suite, each starting its own local stack; they print figures."""
