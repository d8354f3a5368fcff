"""Adapters that give each web framework the same health, metrics and error behaviour."""
