"""The engine's in-memory stores: the catalogue read model and the current model snapshot."""
