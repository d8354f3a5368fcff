"""The Django admin for support staff: browse and search orders, read-only.

Read-only on purpose: an edit here would bypass the API's rules (orders are immutable and
every write moves the change feed the recommendation engine follows).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from nextbuy.orders.storage.models import Order, OrderLine


class ReadOnlyAdminMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OrderLineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = OrderLine
    fields = ("line_no", "product_id", "quantity", "unit_price")
    ordering = ("line_no",)
    extra = 0


@admin.register(Order)
class OrderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "user_id", "status", "currency", "created_at", "updated_at")
    list_filter = ("status", "currency")
    search_fields = ("id", "user_id")
    ordering = ("-created_at", "id")
    inlines = (OrderLineInline,)
