"""Tests of the Real-time Inventory service."""
