"""Benchmarks: `make bench` prints a table of figures (see README, "Benchmarks")."""
