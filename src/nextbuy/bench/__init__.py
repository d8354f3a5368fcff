"""``nextbuy bench``: the engine's data planes under open-loop load and injected faults.

The bench talks to every service over HTTP and to their processes by pid; it never imports a
service package (import-linter checks this).
"""
