"""The order history domain: plain dataclasses, use cases and the repository port (no Django)."""
