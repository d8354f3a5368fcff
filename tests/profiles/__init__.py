"""Tests of the profiles service."""
