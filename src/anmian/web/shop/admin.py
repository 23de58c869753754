"""Staff manage products here. Orders are never written in the admin: they are placed only
through `services.place_order` (so the safety check cannot be skipped) and cancelled only
through `services.cancel_order` (so stock comes back)."""

from __future__ import annotations

from django.contrib import admin, messages

from anmian.web.shop import services
from anmian.web.shop.models import Order, OrderLine, Payment, Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "price", "stock", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class LineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    readonly_fields = ["product", "name", "quantity", "unit_price", "tax_rate"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["__str__", "state", "delivery", "total", "created"]
    list_filter = ["state", "delivery"]
    inlines = [LineInline]
    actions = ["cancel"]
    readonly_fields = [f.name for f in Order._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Cancel the selected placed orders (stock is given back)")
    def cancel(self, request, queryset) -> None:
        done = sum(services.cancel_order(o) for o in queryset)
        self.message_user(request, f"{done} order(s) cancelled.", messages.SUCCESS)


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ["order", "provider", "reference", "status", "amount", "created"]
    readonly_fields = ["order", "provider", "reference", "status", "amount", "created"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
