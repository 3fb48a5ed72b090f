"""Trappen: an open platform for municipal children's services working by the Herning model.

Only :mod:`trappen.web` (and CLI commands that need the database) import Django; everything
else is a pure core of plain Python, NumPy and Polars.
"""

__version__ = "0.1.0"
