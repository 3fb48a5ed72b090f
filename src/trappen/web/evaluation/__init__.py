"""Evaluation page: staggered difference-in-differences, TWFE diagnostic, durations."""
