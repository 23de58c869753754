"""Thin views over `shop.services`. Every page works without JavaScript (plain forms)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from anmian.knowledge import get_kb
from anmian.web.core import bodychart
from anmian.web.shop import cart, photos, services
from anmian.web.shop.forms import CheckoutForm, QuantityForm, QuestionsForm
from anmian.web.shop.models import KINDS, Order, Product
from anmian.web.shop.payments import PROVIDER, DummyProvider

ORDERS = "shop_orders"  # session key: uids of the orders this visitor placed


def _buyer(request: HttpRequest) -> services.Buyer:
    return services.buyer_for(request.user, request.session)


@require_safe
def catalogue(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    qs = Product.objects.filter(active=True).select_related("alternative")
    if kind in dict(KINDS):
        qs = qs.filter(kind=kind)
    buyer = _buyer(request)
    rows = [(p, services.check_product(p, buyer, alternatives=False)) for p in qs]
    return render(
        request,
        "shop/catalogue.html",
        {"rows": rows, "kinds": KINDS, "kind": kind, "buyer": buyer},
    )


def _product_page(
    request: HttpRequest, product: Product, error: services.ShopError | None = None, status=200
) -> HttpResponse:
    kb = get_kb()
    points = [kb.points[p] for p in product.points if p in kb.points]
    charts = [
        (bodychart.TITLE[v], bodychart.render(points, v)) for v in bodychart.views_for(points)
    ]
    return render(
        request,
        "shop/product.html",
        {
            "p": product,
            "check": services.check_product(product, _buyer(request)),
            "points": points,
            "patterns": [kb.patterns[i] for i in product.patterns if i in kb.patterns],
            "advice": [kb.advice[i] for i in product.advice if i in kb.advice],
            "oils": [kb.oils[i] for i in product.oils if i in kb.oils],
            "charts": charts,
            "error": error,
            "max": services.MAX_QUANTITY,
        },
        status=status,
    )


def _get(slug: str) -> Product:
    product = Product.objects.filter(slug=slug, active=True).first()
    if product is None:
        raise Http404("no such product")
    return product


@require_safe
def product(request: HttpRequest, slug: str) -> HttpResponse:
    return _product_page(request, _get(slug))


@require_safe
def photo(request: HttpRequest, slug: str) -> FileResponse:
    """An uploaded product photo, out of the private storage (no URL maps to it)."""
    product = _get(slug)
    if not product.photo:
        raise Http404("no photo")
    ext = product.photo.name.rsplit(".", 1)[-1]
    try:
        handle = product.photo.storage.open(product.photo.name)
    except FileNotFoundError:
        raise Http404("no photo") from None
    response = FileResponse(handle, content_type=photos.CONTENT_TYPES.get(ext, "image/jpeg"))
    # Its URL names the upload (?v=), so it may be kept as long as a browser likes.
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


@require_POST
def add(request: HttpRequest, slug: str) -> HttpResponse:
    product = _get(slug)
    try:
        services.add_to_cart(
            request,
            _buyer(request),
            slug,
            request.POST.get("quantity", "1"),
            request.POST.getlist("acknowledge"),
        )
    except services.NotSafe as exc:
        if exc.extra.get("needs_questions"):
            return redirect(reverse("shop:questions") + f"?next={product.get_absolute_url()}")
        return _product_page(request, product, exc, status=422)
    except services.ShopError as exc:
        return _product_page(request, product, exc, status=exc.status)
    return redirect("shop:cart")


def _checked_lines(
    request: HttpRequest, buyer: services.Buyer | None = None
) -> tuple[list[cart.Line], bool]:
    """The cart's lines checked again against what is known of the person now, for every
    page that shows the cart, and whether any was taken out; each that was is told in a
    notice on the page shown next."""
    lines, notices = services.recheck_cart(request, buyer or _buyer(request))
    for notice in notices:
        messages.warning(request, notice)
    return lines, bool(notices)


def _cart(request: HttpRequest, lines: list[cart.Line], status: int = 200, **extra) -> HttpResponse:
    total = sum((line.amount for line in lines), start=0)
    return render(
        request, "shop/cart.html", {"lines": lines, "total": total, **extra}, status=status
    )


@require_safe
def cart_page(request: HttpRequest) -> HttpResponse:
    return _cart(request, _checked_lines(request)[0])


@require_POST
def update(request: HttpRequest, slug: str) -> HttpResponse:
    product = _get(slug)
    buyer = _buyer(request)
    lines = _checked_lines(request, buyer)[0]
    form = QuantityForm(request.POST)
    if not form.is_valid():
        error = _("The quantity must be a whole number from 0 to %(most)s.") % {
            "most": services.MAX_QUANTITY
        }
        return _cart(request, lines, status=400, error=error)
    n = form.cleaned_data["quantity"]
    line = next((ln for ln in lines if ln.product.pk == product.pk), None)
    if n == 0 or line is None:  # None: never there, or just taken out (its notice waits)
        cart.remove(request, product)
        return redirect("shop:cart")
    try:
        services.add_to_cart(request, buyer, slug, n, line.acknowledged)
    except services.ShopError as exc:
        return _product_page(request, product, exc, status=exc.status)
    return redirect("shop:cart")


@require_http_methods(["GET", "HEAD", "POST"])
def questions(request: HttpRequest) -> HttpResponse:
    nxt = request.GET.get("next") or reverse("shop:catalogue")
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        nxt = reverse("shop:catalogue")
    saved = request.session.get(services.QUESTIONS) or {}
    initial = {k: ", ".join(v) if isinstance(v, list) else v for k, v in saved.items()}
    form = QuestionsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        request.session[services.QUESTIONS] = form.answers()
        return redirect(nxt)
    status = 400 if form.errors else 200
    return render(request, "shop/questions.html", {"form": form, "next": nxt}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def checkout(request: HttpRequest) -> HttpResponse:
    buyer = _buyer(request)
    lines, removed = _checked_lines(request, buyer)
    if not lines:  # empty, or emptied just now: the cart page tells what was taken out
        return redirect("shop:cart")
    account_email = getattr(buyer.user, "email", "") if buyer.user is not None else ""
    # Bound on every POST, an empty one too: "Place the order" with nothing filled in is
    # told what is missing, not shown a blank form again.
    data = request.POST if request.method == "POST" else None
    form = CheckoutForm(data, account_email=account_email)
    ctx = {
        "form": form,
        "lines": lines,
        "total": sum((ln.amount for ln in lines), start=0),
        "account_email": account_email,
    }
    if request.method != "POST":
        return render(request, "shop/checkout.html", ctx)
    if removed:  # the cart changed under the person: they see what is left before ordering
        return render(request, "shop/checkout.html", ctx, status=409)
    if not form.is_valid():
        return render(request, "shop/checkout.html", ctx, status=400)
    d = form.cleaned_data
    address = services.Address(d["name"], d["line"], d["city"], d["postcode"])
    try:
        order = services.checkout(request, buyer, d["delivery"], address, d["email"])
    except services.ShopError as exc:
        ctx |= {"error": exc, "lines": cart.lines(request)}
        return render(request, "shop/checkout.html", ctx, status=exc.status)
    request.session[ORDERS] = [*request.session.get(ORDERS, []), str(order.uid)]
    return redirect(PROVIDER.start(order))


def _own_order(request: HttpRequest, uid) -> Order:
    qs = Order.objects.filter(uid=uid)
    if request.user.is_authenticated:
        order = qs.filter(user=request.user).first() or (
            qs.filter(user=None).first() if str(uid) in request.session.get(ORDERS, []) else None
        )
    else:
        order = (
            qs.filter(user=None).first() if str(uid) in request.session.get(ORDERS, []) else None
        )
    if order is None:
        raise Http404("no such order")
    return order


@require_safe
def orders(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        mine = Order.objects.filter(user=request.user)
    else:
        mine = Order.objects.filter(user=None, uid__in=request.session.get(ORDERS, []))
    return render(request, "shop/orders.html", {"orders": mine})


@require_safe
def order(request: HttpRequest, uid) -> HttpResponse:
    o = _own_order(request, uid)
    return render(request, "shop/order.html", {"o": o, "lines": o.lines.all()})


@require_safe
def pay(request: HttpRequest, uid) -> HttpResponse:
    """The dummy provider's payment page: two buttons, each a signed callback."""
    o = _own_order(request, uid)
    demo = _demo_provider()
    if o.state != Order.PLACED or demo is None:
        if o.state == Order.PLACED:
            messages.info(
                request, _("Online payment is not set up here: please pay at the clinic.")
            )
        return redirect("shop:order", o.uid)
    return render(
        request,
        "shop/pay.html",
        {
            "o": o,
            "paid": demo.callback_data(o, "paid"),
            "failed": demo.callback_data(o, "failed"),
        },
    )


def _demo_provider() -> DummyProvider | None:
    """The dummy provider when demonstration payments are on: only it has a page of buttons."""
    if isinstance(PROVIDER, DummyProvider) and settings.ANMIAN_DEMO_PAYMENTS:
        return PROVIDER
    return None


@csrf_exempt  # posted by Stripe; the signature, not a cookie, proves where it came from
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    if PROVIDER.name != "stripe":
        raise Http404("Stripe is not configured")
    data = {
        "payload": request.body.decode("utf-8", "replace"),
        "signature": request.headers.get("Stripe-Signature", ""),
    }
    try:
        order = services.record_payment(PROVIDER.notification(data))
    except services.ShopError as exc:
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain")
    return HttpResponse(f"{order}: {order.state}", content_type="text/plain")


@csrf_exempt  # posted by the provider; the signature, not a cookie, proves where it came from
@require_POST
def dummy_callback(request: HttpRequest) -> HttpResponse:
    if _demo_provider() is None:  # a real provider, or a deployment: no button pays
        raise Http404("the demonstration provider is not in use")
    try:
        order = services.record_payment(PROVIDER.notification(request.POST.dict()))
    except services.ShopError as exc:
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain")
    return redirect("shop:order", order.uid)


def _course_page(
    request: HttpRequest, uid, error: services.ShopError | None = None, status: int = 200
) -> HttpResponse:
    try:
        bill = services.course_bill(request.user, uid)
    except services.UnknownOrder:
        raise Http404("no such course") from None
    return render(
        request,
        "shop/course.html",
        {
            "bill": bill,
            "order": bill.order,
            "clinic": bill.course.practitioner.clinic,
            "notice": settings.ANMIAN_CHANGE_NOTICE_HOURS,
            "error": error,
        },
        status=status,
    )


@login_required
@require_safe
def course(request: HttpRequest, uid) -> HttpResponse:
    """A booked course's sessions, the price of each and of all, the cancellation policy."""
    return _course_page(request, uid)


@login_required
@require_POST
def pay_course(request: HttpRequest, uid) -> HttpResponse:
    try:
        order = services.order_course(request.user, uid)
    except services.UnknownOrder:
        raise Http404("no such course") from None
    except services.ShopError as exc:
        return _course_page(request, uid, exc, status=exc.status)
    if order.state != Order.PLACED:
        return redirect("shop:order", order.uid)
    return redirect(PROVIDER.start(order))
