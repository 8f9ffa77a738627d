"""Sentiment and stance: context, encoder, heads, calibration, training, backends."""
