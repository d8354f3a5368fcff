"""The engine's HTTP API."""
