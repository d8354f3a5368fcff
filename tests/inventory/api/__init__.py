"""The inventory HTTP API through FastAPI's test client."""
