"""Adapters implementing the catalog's repository port: SQLAlchemy (SQLite/PostgreSQL), memory."""
