"""The engine's domain: ranking and the ports to the data it needs. No web, ORM or client here."""
