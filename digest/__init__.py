"""digest: a terminal curator for weekly link newsletters."""

__version__ = "0.1.0"
