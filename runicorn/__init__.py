"""Runicorn: a local-first, offline experiment tracker. (SDK facade: being written.)"""

__version__ = "0.1.0"
