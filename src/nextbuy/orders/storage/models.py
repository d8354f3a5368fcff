"""The order tables: ``orders`` (external string ids) and ``order_lines``."""

from __future__ import annotations

from django.db import models

ORDER_STATUSES = ("placed", "paid", "shipped", "delivered", "cancelled", "returned")


class Order(models.Model):
    id = models.CharField(primary_key=True, max_length=64)
    # Indexed through the (user_id, created_at, id) index below, which also serves the
    # user history query in order; a separate user_id index would only cost writes.
    user_id = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=[(s, s) for s in ORDER_STATUSES])
    currency = models.CharField(max_length=3)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        db_table = "orders"
        indexes = [
            models.Index(fields=["user_id", "created_at", "id"], name="orders_user_history_idx"),
            models.Index(fields=["updated_at", "id"], name="orders_change_feed_idx"),
        ]

    def __str__(self) -> str:
        return f"order {self.id} of {self.user_id}"


class OrderLine(models.Model):
    # No separate index on order_id: the unique (order, line_no) constraint leads with it.
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines", db_index=False)
    line_no = models.PositiveSmallIntegerField()
    product_id = models.CharField(max_length=64)
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        db_table = "order_lines"
        constraints = [
            models.UniqueConstraint(fields=["order", "line_no"], name="order_lines_order_line_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_id}"


class OutboxEvent(models.Model):
    """An event waiting for the bus, written in the transaction of the order it announces."""

    id = models.BigAutoField(primary_key=True)
    event_id = models.UUIDField(unique=True)
    type = models.CharField(max_length=64)
    # The exact bytes the bus carries (see nextbuy.bus.envelope.encode).
    payload = models.BinaryField()
    created_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True)

    class Meta:
        db_table = "orders_outbox"
        # The relay's query: unpublished rows (NULL sorts together) in id order.
        indexes = [models.Index(fields=["published_at", "id"], name="orders_outbox_pending_idx")]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"
