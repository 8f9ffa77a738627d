"""newsstance: who said what, and how, in English news.

The library: text (articles from raw bytes), nlp (spaCy), attribution (who said what), scoring
(sentiment and stance), analysis (tables, metrics, the report page). It reads no folder layout,
starts no process and keeps no cache: the DVC stages in `stages/` do, around one call each.
"""

__version__ = "0.1.0"
