"""Alembic migrations of the catalog schema (run by ``nextbuy.catalog.app.migrate``)."""
