"""The stock repository contract, on SQLite and PostgreSQL."""
