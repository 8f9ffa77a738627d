"""What the analysts read: tables, per-speaker shares, metrics against gold, the report page."""
