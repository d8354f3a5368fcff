"""Inventory domain: stock levels, the rules adjustments obey, and the repository port."""
