"""Inventory storage: the SQLAlchemy stock repository and its Alembic migrations."""
