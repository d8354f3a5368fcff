"""Product Catalog service: the products the shop sells, their categories, prices and attributes."""
