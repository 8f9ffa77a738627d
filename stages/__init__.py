"""newsstance: who said what, and how, in English news. One module per DVC stage."""

__version__ = "0.1.0"
