"""The staff's pages: orders by state with the next step for each, a packing slip and the
low-stock list, for accounts allowed to change orders (shop.change_order); product photos,
for accounts allowed to change products (shop.change_product)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from anmian.web.shop import photos, services
from anmian.web.shop.models import Order, Product
from anmian.web.shop.payments import PROVIDER

staff_only = permission_required("shop.change_order", raise_exception=True)
products_staff = permission_required("shop.change_product", raise_exception=True)


def _order(uid) -> Order:
    order = Order.objects.filter(uid=uid).first()
    if order is None:
        raise Http404("no such order")
    return order


@require_safe
@login_required
@staff_only
def orders(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    qs = Order.objects.prefetch_related("lines")
    if state in dict(Order.STATES):
        qs = qs.filter(state=state)
    rows = [(o, Order.NEXT.get((o.state, o.delivery))) for o in qs[:200]]
    return render(
        request,
        "shop/staff_orders.html",
        {
            "rows": rows,
            "states": Order.STATES,
            "state": state,
            "low": Product.objects.filter(active=True, stock__lte=services.LOW_STOCK),
            "labels": dict(Order.STATES),
            "paid_states": Order.PAID_STATES,
        },
    )


@require_POST
@login_required
@staff_only
def advance(request: HttpRequest, uid) -> HttpResponse:
    order = _order(uid)
    try:
        if request.POST.get("to") == Order.REFUNDED:
            amount = request.POST.get("amount") or None
            try:
                services.refund(order, PROVIDER, Decimal(amount) if amount else None)
            except InvalidOperation:
                raise services.BadRequest(_("The refund amount must be a number.")) from None
        elif request.POST.get("to") == Order.CANCELLED:
            if not services.cancel_order(order):
                raise services.BadRequest(_("Only an unpaid order can be cancelled here."))
        else:
            services.advance(order, request.POST.get("to", ""))
    except services.ShopError as exc:
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain")
    return redirect("shop:staff-orders")


@require_safe
@login_required
@products_staff
def products(request: HttpRequest) -> HttpResponse:
    return _products_page(request)


def _products_page(
    request: HttpRequest, error: str = "", failed: str = "", status: int = 200
) -> HttpResponse:
    return render(
        request,
        "shop/staff_products.html",
        {
            "products": Product.objects.order_by("name"),
            "error": error,
            "failed": failed,
            "max_mb": photos.MAX_BYTES // 1024 // 1024,
        },
        status=status,
    )


@require_POST
@login_required
@products_staff
def photo(request: HttpRequest, slug: str) -> HttpResponse:
    """Upload (or remove) a product's photo; a refused file is told on the page, with 400."""
    product = Product.objects.filter(slug=slug).first()
    if product is None:
        raise Http404("no such product")
    if request.POST.get("remove"):
        photos.remove_photo(product)
        messages.success(request, _("The photo of %(name)s is removed.") % {"name": product.name})
        return redirect("shop:staff-products")
    try:
        photos.set_photo(product, request.FILES.get("photo"), request.POST.get("alt", ""))
    except photos.PhotoError as exc:
        message = f"{product.name}: {exc.message}"  # the list is long: say which one
        return _products_page(request, message, product.slug, status=exc.status)
    messages.success(request, _("The photo of %(name)s is saved.") % {"name": product.name})
    return redirect("shop:staff-products")


@require_safe
@login_required
@staff_only
def slip(request: HttpRequest, uid) -> HttpResponse:
    order = _order(uid)
    return render(request, "shop/slip.html", {"o": order, "lines": order.lines.all()})
