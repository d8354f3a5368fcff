"""The catalog's plain-Python core: product models, rules, errors and the repository port."""
