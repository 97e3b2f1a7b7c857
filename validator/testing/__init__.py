"""Synthetic reports and their renderings in every format, for tests and benchmarks."""
