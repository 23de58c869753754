"""The clinic's stock, carts of logged-in people, orders and payments.

Products are the clinic's to manage (admin), not knowledge-base data; what a product is made
of and what it is for refer to the knowledge base by id, checked when it is saved."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.dispatch import receiver
from django.test.signals import setting_changed
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext_lazy as _

from anmian.knowledge import get_kb


def _photo_storage() -> Storage:
    if "shop_photos" in settings.STORAGES:
        return storages["shop_photos"]
    return FileSystemStorage(location=settings.ANMIAN_SHOP_PHOTOS_DIR)


class _PhotoStorage(LazyObject):
    """Looked up on first use, not when this module is imported, so a change of settings
    (a test's, or STORAGES read late) is followed; reset by `setting_changed`."""

    _wrapped: Any  # the storage, or `empty` until first use

    def _setup(self) -> None:
        self._wrapped = _photo_storage()


PHOTOS = _PhotoStorage()


@receiver(setting_changed)
def _photos_follow_settings(setting: str, **kwargs: object) -> None:
    if setting in ("STORAGES", "ANMIAN_SHOP_PHOTOS_DIR"):
        PHOTOS._wrapped = empty


def photo_storage() -> Storage:
    """The private storage of uploaded product photos: settings.STORAGES["shop_photos"] when
    a deployment names one (a private bucket), else the folder ANMIAN_SHOP_PHOTOS_DIR, which
    no URL maps to. Either way the shop's photo view is the only way out."""
    return PHOTOS  # type: ignore[return-value]  # a lazy proxy of a Storage


MAX_QUANTITY = 20  # of one product in one order: a clinic shop, not a wholesaler

KINDS = [
    ("acupressure-tool", _("Acupressure tool")),
    ("aroma-stick", _("Aroma acupressure stick")),
    ("topical", _("Topical balm or oil")),
    ("heat-pack", _("Heat pack")),
    ("herbal", _("Herbal formula granules or pills")),
    ("book", _("Book or guide")),
    ("gift-card", _("Gift card")),
    ("session-package", _("Session package")),
]

# field -> knowledge-base table its ids must be found in
KB_FIELDS = {
    "herbs": "herbs",
    "formulas": "formulas",
    "oils": "oils",
    "points": "points",
    "patterns": "patterns",
    "advice": "advice",
}


class Product(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=KINDS)
    description = models.TextField()
    price = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    tax_rate = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("20.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="percent, included in the price",
    )
    stock = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)
    # What it is made of (knowledge-base ids)
    herbs = models.JSONField(default=list, blank=True)
    formulas = models.JSONField(default=list, blank=True)
    oils = models.JSONField(default=list, blank=True)
    # What it is for (knowledge-base ids)
    points = models.JSONField(default=list, blank=True)
    patterns = models.JSONField(default=list, blank=True)
    advice = models.JSONField(default=list, blank=True)
    alternative = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text="offered when this product is not safe for someone",
    )
    # An uploaded photo, kept in the private "shop_photos" storage (never under a public
    # URL) and served by the shop's photo view; a demo product's drawing is a static file.
    photo = models.FileField(storage=photo_storage, upload_to="products/", blank=True)
    demo_photo = models.CharField(max_length=200, blank=True, help_text="static path")
    photo_alt = models.CharField(
        max_length=200, blank=True, help_text="what the photo shows, for people who cannot see it"
    )

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            # PositiveIntegerField is only a CHECK on some databases; say it for all of them.
            models.CheckConstraint(
                condition=models.Q(stock__gte=0), name="shop_stock_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("shop:product", args=[self.slug])

    @property
    def photo_url(self) -> str:
        """Where the page finds the product's picture ("" when it has none)."""
        if self.photo:
            from django.urls import reverse

            # The file's name changes with each upload, so a cached old photo is never shown.
            version = self.photo.name.rsplit("-", 1)[-1].split(".")[0]
            return reverse("shop:photo", args=[self.slug]) + f"?v={version}"
        if self.demo_photo:
            from django.templatetags.static import static

            return static(self.demo_photo)
        return ""

    @property
    def is_herbal(self) -> bool:
        return bool(self.herbs or self.formulas)

    def clean(self) -> None:
        kb = get_kb()
        errors = {}
        for field, table in KB_FIELDS.items():
            ids = getattr(self, field)
            if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
                errors[field] = "a list of knowledge-base ids"
                continue
            unknown = [i for i in ids if i not in kb.table(table)]
            if unknown:
                errors[field] = f"unknown {table} id(s): {', '.join(unknown)}"
        if errors:
            raise ValidationError(errors)


class CartItem(models.Model):
    """The cart of a logged-in person; a visitor's cart lives in the session."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    price_seen = models.DecimalField(max_digits=10, decimal_places=2)
    acknowledged = models.JSONField(default=list)  # keys of the cautions the person accepted

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "product"], name="shop_one_cart_row"),
        ]


class Order(models.Model):
    PLACED, PAID, CANCELLED = "placed", "paid", "cancelled"
    READY, SHIPPED, COLLECTED, DELIVERED = "ready", "shipped", "collected", "delivered"
    REFUNDED = "refunded"
    STATES = [
        (PLACED, _("Placed, waiting for payment")),
        (PAID, _("Paid")),
        (READY, _("Ready to collect")),
        (SHIPPED, _("Posted")),
        (COLLECTED, _("Collected")),
        (DELIVERED, _("Delivered")),
        (CANCELLED, _("Cancelled")),
        (REFUNDED, _("Refunded")),
    ]
    # States in which the order has been paid for, so it can be refunded.
    PAID_STATES = (PAID, READY, SHIPPED, COLLECTED, DELIVERED)
    # What staff may move an order on to, from each state (pick-up and post have their own).
    NEXT = {
        (PAID, "pickup"): READY,
        (READY, "pickup"): COLLECTED,
        (PAID, "post"): SHIPPED,
        (SHIPPED, "post"): DELIVERED,
    }
    PICKUP, POST, SESSIONS = "pickup", "post", "sessions"
    DELIVERY = [
        (PICKUP, _("Pick up at the clinic")),
        (POST, _("By post")),
        (SESSIONS, _("Sessions at the clinic")),  # a course's appointments: nothing to hand over
    ]

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    email = models.EmailField(blank=True)
    state = models.CharField(max_length=12, choices=STATES, default=PLACED)
    delivery = models.CharField(max_length=8, choices=DELIVERY)
    address_name = models.CharField(max_length=200, blank=True)
    address_line = models.CharField(max_length=300, blank=True)
    address_city = models.CharField(max_length=100, blank=True)
    address_postcode = models.CharField(max_length=20, blank=True)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    tax = models.DecimalField(max_digits=12, decimal_places=2)
    # The practitioner whose adopted plan allowed a herbal product in this order.
    prescribed_by = models.ForeignKey(
        "records.Practitioner", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cautions_acknowledged = models.JSONField(default=list)
    # The booked course this order pays for (its line names the appointments).
    course = models.ForeignKey(
        "booking.Course", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The API client's Idempotency-Key: a retried request finds its order instead of a twin.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    changed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(fields=["user", "idempotency_key"], name="shop_order_per_key"),
            # One order at a time pays for a course: a second click, or a second tab, finds
            # the first; once it is cancelled or refunded the course can be ordered again.
            models.UniqueConstraint(
                fields=["course"],
                condition=models.Q(course__isnull=False)
                & ~models.Q(state__in=["cancelled", "refunded"]),
                name="shop_one_open_order_per_course",
            ),
        ]

    def __str__(self) -> str:
        return _("Order %(ref)s") % {"ref": str(self.uid)[:8]}

    @property
    def refunded(self) -> Decimal:
        return sum((p.amount for p in self.payments.all() if p.status == "refunded"), Decimal(0))

    @property
    def refunds(self) -> list[Payment]:
        """Each refund, oldest first, with the cancelled session it was for (if any)."""
        return list(
            self.payments.filter(status="refunded").select_related("appointment").order_by("pk")
        )

    @property
    def kept(self) -> Decimal:
        return self.total - self.refunded


class OrderLine(models.Model):
    """A product, or the sessions of a booked course (one line: the course, its appointments
    and the appointment type's price each); never both."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    course = models.ForeignKey(
        "booking.Course", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    appointments = models.ManyToManyField("booking.Appointment", related_name="+", blank=True)
    name = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(product__isnull=False, course__isnull=True)
                | models.Q(product__isnull=True, course__isnull=False),
                name="shop_line_product_or_course",
            ),
        ]

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.quantity


class Payment(models.Model):
    """One notification from a payment provider. `reference` is the provider's id for it, so
    a replayed or duplicated notification finds its row and changes nothing."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(max_length=32)
    reference = models.CharField(max_length=100)
    status = models.CharField(max_length=12)  # "paid", "failed" or "refunded"
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    # A refund of one cancelled session of a paid course names it (shown on the order).
    appointment = models.ForeignKey(
        "booking.Appointment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "reference"], name="shop_payment_once"),
            # A session's share is paid back once, however its cancellation is repeated.
            models.UniqueConstraint(
                fields=["appointment"],
                condition=models.Q(appointment__isnull=False),
                name="shop_one_refund_per_session",
            ),
        ]
