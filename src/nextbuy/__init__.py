"""Nextbuy: an open-source recommendation platform for e-commerce."""
