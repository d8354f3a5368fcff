"""Pydantic models of every public API payload and every event, shared by services and clients.

Inputs forbid unknown fields (``extra="forbid"``): a misspelt or smuggled field is a 422
naming it, never silently dropped. Outputs list their fields explicitly, so nothing internal
leaks. Events carry their version in their type name: ``order.placed.v1`` is ``OrderPlacedV1``.
"""
