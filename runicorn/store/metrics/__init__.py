"""A run's metric columns: series, downsampling, the decode pool, comparison and CSV export."""
