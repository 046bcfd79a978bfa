"""A run's console log, followed by byte offset: the tail and where cut lines end."""
