"""neethelpers: the logic behind the NEET report book (data, counties, formatting, models, build)."""

__version__ = "0.1.0"
