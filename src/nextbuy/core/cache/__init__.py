"""A two-tier cache of byte values: in-process L1, shared Redis L2, stale-while-revalidate.

Values are bytes; callers choose the encoding. ``keys`` names every cache key in one place.
"""
