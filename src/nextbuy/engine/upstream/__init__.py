"""aiohttp adapters implementing the engine's ports against the other services' HTTP APIs."""
