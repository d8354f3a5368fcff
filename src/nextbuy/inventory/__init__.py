"""Real-time Inventory: stock levels per product, atomic adjustments and a change feed."""
