"""Product photos uploaded by staff: checked by what the file is, not by its name, then kept
in the shop's private storage (models.photo_storage) and served by the photo view.

A file is accepted when its first bytes are those of a JPEG, PNG or WebP image, it is at most
MAX_BYTES, and (with Pillow, which the PDF report already installs) it opens as a whole image
of at most MAX_PIXELS. Pillow then writes it again, which drops its metadata (a phone's GPS
position, the camera's serial number) and anything hidden after the image data. Each refusal
is a PhotoError whose message tells staff what to do."""

from __future__ import annotations

import hashlib
import io
from typing import Any

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anmian.web.shop.errors import BadRequest
from anmian.web.shop.models import Product

MAX_BYTES = 5 * 1024 * 1024  # a good phone photo, resized, is well under this
MAX_PIXELS = 25_000_000  # 5,000 x 5,000: larger is a mistake or a decompression bomb
# format -> (file extension, content type); the first bytes that name each format
TYPES = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("webp", "image/webp")}
CONTENT_TYPES = {ext: ctype for ext, ctype in TYPES.values()}
OTHER = {  # recognised, but not accepted: named in the message
    b"GIF8": gettext_lazy("a GIF"),
    b"BM": gettext_lazy("a BMP"),
    b"%PDF": gettext_lazy("a PDF"),
    b"II*\x00": gettext_lazy("a TIFF"),
    b"MM\x00*": gettext_lazy("a TIFF"),
}
ACCEPTED = gettext_lazy("a JPEG, PNG or WebP photo")


class PhotoError(BadRequest):
    status = 400


def sniff(head: bytes) -> str | None:
    """The format the file's first bytes announce, if it is one the shop accepts."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


def _what_else(head: bytes) -> str:
    for magic, name in OTHER.items():
        if head.startswith(magic):
            return str(name)
    text = head.lstrip()[:200].lower()
    if text.startswith(b"<?xml") or b"<svg" in text:
        return _("an SVG drawing (it can carry scripts)")
    return _("not an image")


def check(upload: Any, alt: str) -> tuple[bytes, str]:
    """The bytes to store and their format, or PhotoError saying what is wrong."""
    if not alt.strip():
        raise PhotoError(
            _(
                "Please describe the photo in a few words (its alt text), for people who "
                "cannot see it."
            )
        )
    if len(alt) > 200:
        raise PhotoError(_("Please keep the description under 200 characters."))
    if upload is None:
        raise PhotoError(_("Please choose a photo to upload."))
    if upload.size == 0:
        raise PhotoError(_("The file is empty: please choose the photo again."))
    if upload.size > MAX_BYTES:
        raise PhotoError(
            _(
                "The file is %(size).1f MB; photos can be at most %(most)s MB. Please make it "
                "smaller and try again."
            )
            % {"size": upload.size / 1024 / 1024, "most": MAX_BYTES // 1024 // 1024}
        )
    data = upload.read()
    kind = sniff(data[:16])
    if kind is None:
        raise PhotoError(
            _("This file is %(what)s, whatever its name says: please upload %(accepted)s.")
            % {"what": _what_else(data[:512]), "accepted": ACCEPTED}
        )
    return _rewrite(data, kind), kind


def _rewrite(data: bytes, kind: str) -> bytes:
    try:
        from PIL import Image, ImageOps
    except ImportError:  # without Pillow the first bytes are all that is checked
        return data
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format != kind:
                raise PhotoError(
                    _("The file is not the image it starts as: please upload %(accepted)s.")
                    % {"accepted": ACCEPTED}
                )
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise PhotoError(
                    _(
                        "The photo is %(width)s × %(height)s pixels; at most %(most)s million "
                        "pixels are accepted. Please resize it."
                    )
                    % {"width": width, "height": height, "most": MAX_PIXELS // 1_000_000}
                )
            probe.verify()  # a damaged or cut-off file fails here or on load below
        with Image.open(io.BytesIO(data)) as opened:
            opened.load()
            image = ImageOps.exif_transpose(opened)  # keep it upright without its metadata
            if kind == "JPEG" and image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            out = io.BytesIO()
            image.save(out, format=kind, **({"quality": 88} if kind != "PNG" else {}))
            return out.getvalue()
    except PhotoError:
        raise
    except Image.DecompressionBombError:
        raise PhotoError(
            _(
                "The photo has too many pixels (at most %(most)s million are accepted). Please "
                "resize it."
            )
            % {"most": MAX_PIXELS // 1_000_000}
        ) from None
    except (OSError, SyntaxError, ValueError):
        raise PhotoError(
            _("The image is damaged or incomplete: please export it again and upload the new file.")
        ) from None


def set_photo(product: Product, upload: Any, alt: str) -> Product:
    """Check and keep the photo (replacing the one before), with its description."""
    data, kind = check(upload, alt)
    ext = TYPES[kind][0]
    digest = hashlib.sha256(data).hexdigest()[:12]
    old = product.photo.name if product.photo else ""
    product.photo.save(f"{product.slug}-{digest}.{ext}", ContentFile(data), save=False)
    product.photo_alt = alt.strip()
    product.save(update_fields=["photo", "photo_alt"])
    if old and old != product.photo.name:
        product.photo.storage.delete(old)
    return product


def remove_photo(product: Product) -> Product:
    if product.photo:
        product.photo.storage.delete(product.photo.name)
    product.photo = ""
    product.save(update_fields=["photo"])
    return product
