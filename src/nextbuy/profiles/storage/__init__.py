"""SQLAlchemy adapter of the profiles repository port, and its Alembic migrations."""
