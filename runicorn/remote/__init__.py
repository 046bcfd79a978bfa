"""SSH side: connect (host-key check, credentials in memory) and mirror remote runs into the local root."""
