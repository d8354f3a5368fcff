"""The catalog's HTTP API (FastAPI): routes, request parsing and response shaping only."""
