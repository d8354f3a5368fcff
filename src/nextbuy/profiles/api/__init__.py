"""HTTP layer of the profiles service: Flask routes, request parsing, OpenAPI."""
