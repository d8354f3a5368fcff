"""Inventory domain rules, without a database."""
