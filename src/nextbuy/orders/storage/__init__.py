"""Django ORM adapter of the order history: the ``orders`` Django app, its models and migrations.

Importing this package does not need Django to be configured; ``models``, ``admin`` and
``repository`` do (import them after ``django.setup()``).
"""
