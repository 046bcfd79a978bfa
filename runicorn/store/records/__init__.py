"""A run's other records: media, tables, alerts, checkpoints and artifact links."""
