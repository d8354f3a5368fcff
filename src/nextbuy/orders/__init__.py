"""Order History: the orders each user placed, with their lines (Django + Django Ninja)."""
