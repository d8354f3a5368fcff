"""Product Catalog tests."""
