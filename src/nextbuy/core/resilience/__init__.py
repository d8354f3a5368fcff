"""Resilience mechanisms for outbound calls: breaker, retry budget, hedging, bulkhead, policy.

Each mechanism is a small asyncio-friendly object with an injectable clock so its rules can be
tested without sleeping; ``policy.UpstreamPolicy`` composes them around one upstream.
"""
