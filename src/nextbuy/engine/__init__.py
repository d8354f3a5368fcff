"""Recommendation Engine: FastAPI, async; ranks from models built on the other services' data."""
