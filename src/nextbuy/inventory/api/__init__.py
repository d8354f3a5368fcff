"""Inventory HTTP API: routes that parse contracts, call the repository, and answer JSON."""
