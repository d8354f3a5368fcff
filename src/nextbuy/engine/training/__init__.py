"""The engine's training role (Gorse's "train"): from interaction data to a published model."""
