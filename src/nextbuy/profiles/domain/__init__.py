"""Plain-Python core of the profiles service: models, rules and the repository port."""
