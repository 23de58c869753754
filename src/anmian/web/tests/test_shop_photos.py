"""Product photos (issue 14): demo products show drawings; staff upload a photo, checked by
its content (JPEG, PNG or WebP, at most 5 MB and 25 million pixels, as the upload page says),
kept privately and served by the shop; pages show it with its description as alt text; every
kind of bad upload is refused with a message and nothing stored."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from anmian.web.shop.demo import PHOTOS
from anmian.web.shop.models import Product
from anmian.web.shop.testing import catalogue, person

pytestmark = pytest.mark.django_db
MB = 1024 * 1024
ALT = "A steel probe on a wooden table"


@pytest.fixture(autouse=True)
def private_folder(settings, tmp_path):
    store = tmp_path / "photos"
    settings.STORAGES = settings.STORAGES | {
        "shop_photos": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(store)},
        }
    }
    return store


@pytest.fixture
def shop(db):
    return catalogue()


@pytest.fixture
def staff(client, db):
    user = get_user_model().objects.create_user("stock@clinic.example", "stock@clinic.example")
    user.user_permissions.add(Permission.objects.get(codename="change_product"))
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def image(fmt: str = "JPEG", size=(64, 48), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (180, 90, 40)).save(out, format=fmt, **save)
    return out.getvalue()


def upload(client, data: bytes | None, name="photo.jpg", alt=ALT, slug="acupressure-probe"):
    body = {"alt": alt}
    if data is not None:
        body["photo"] = SimpleUploadedFile(name, data)
    return client.post(f"/shop/staff/products/{slug}/photo/", body)


def error(response) -> str:
    found = re.search(r'id="photo-error"><p>(.*?)</p>', response.content.decode(), re.S)
    assert found, response.content.decode()[:500]
    return found.group(1)


def stored(folder) -> list:
    return sorted(p.name for p in folder.rglob("*") if p.is_file())


# --- demo drawings ---


def test_every_demo_product_has_a_drawing_with_a_description(shop):
    for slug in PHOTOS:
        product = Product.objects.get(slug=slug)
        assert product.photo_alt
        assert finders.find(product.demo_photo), product.demo_photo
    assert set(PHOTOS) == {p.slug for p in Product.objects.all()}


def test_the_catalogue_and_the_product_page_show_the_picture_with_alt_text(client, shop):
    page = client.get("/shop/").content.decode()
    assert re.search(
        r'<img src="/static/shop/demo/acupressure-probe\.svg" alt="A steel probe', page
    )
    page = client.get("/shop/p/calm-evening-stick/").content.decode()
    assert 'alt="A purple aroma stick with a lavender flower on it"' in page


def test_a_drawing_staff_changed_is_not_put_back_by_the_demo_loader(shop):
    Product.objects.filter(slug="acupressure-probe").update(
        demo_photo="shop/demo/calf-heat-wrap.svg", photo_alt="mine"
    )
    catalogue()
    product = Product.objects.get(slug="acupressure-probe")
    assert (product.demo_photo, product.photo_alt) == ("shop/demo/calf-heat-wrap.svg", "mine")


# --- uploads that are accepted ---


@pytest.mark.parametrize(
    ("fmt", "ctype"), [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")]
)
def test_staff_upload_a_photo_and_the_shop_serves_it(staff, shop, private_folder, fmt, ctype):
    r = upload(staff, image(fmt))
    assert r.status_code == 302
    product = Product.objects.get(slug="acupressure-probe")
    assert product.photo_alt == ALT and len(stored(private_folder)) == 1
    served = staff.get(product.photo_url)
    assert served.status_code == 200 and served["Content-Type"] == ctype
    assert Image.open(io.BytesIO(b"".join(served.streaming_content))).format == fmt
    page = staff.get("/shop/p/acupressure-probe/").content.decode()
    assert f'<img src="{product.photo_url}" alt="{ALT}"' in page


def test_the_type_comes_from_the_content_not_the_name(staff, shop, private_folder):
    upload(staff, image("PNG"), name="holiday.jpg")
    assert stored(private_folder)[0].endswith(".png")


def test_a_photo_is_stored_without_its_location_metadata(staff, shop, private_folder):
    exif = Image.Exif()
    exif[0x8825] = {2: (51.0, 30.0, 0.0)}  # GPS latitude, as a phone writes it
    exif[0x010F] = "Phone maker"
    upload(staff, image("JPEG", exif=exif.tobytes()))
    with Image.open(next(private_folder.rglob("*.jpg"))) as kept:
        assert not kept.getexif()


def test_a_new_photo_replaces_the_old_file(staff, shop, private_folder):
    upload(staff, image("JPEG"))
    upload(staff, image("PNG", size=(80, 60)))
    assert len(stored(private_folder)) == 1 and stored(private_folder)[0].endswith(".png")


def test_staff_can_remove_a_photo(staff, shop, private_folder):
    upload(staff, image("JPEG"))
    r = staff.post("/shop/staff/products/acupressure-probe/photo/", {"remove": "1"})
    assert r.status_code == 302 and stored(private_folder) == []
    assert staff.get("/shop/p/acupressure-probe/photo/").status_code == 404


# --- bad uploads: a message each, nothing stored ---


def _big_jpeg() -> bytes:
    return image("JPEG") + b"\0" * (5 * MB)


def _bomb() -> bytes:
    out = io.BytesIO()
    Image.new("1", (6000, 5000)).save(out, format="PNG")  # 30 million pixels, a few kB
    return out.getvalue()


def _svg() -> bytes:
    return b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script/></svg>'


@pytest.mark.parametrize(
    ("data", "name", "alt", "says"),
    [
        (None, "", ALT, "choose a photo"),
        (b"", "photo.jpg", ALT, "The file is empty"),
        (_big_jpeg, "photo.jpg", ALT, "at most 5 MB"),
        (b"Dear clinic, here is my photo", "photo.jpg", ALT, "not an image, whatever its name"),
        (lambda: image("GIF"), "photo.gif", ALT, "a GIF"),
        (_svg, "photo.svg", ALT, "an SVG drawing"),
        (lambda: image("JPEG")[:200], "photo.jpg", ALT, "damaged or incomplete"),
        (_bomb, "photo.png", ALT, "at most 25 million pixels"),
        (lambda: image("JPEG"), "photo.jpg", "  ", "alt text"),
    ],
    ids=[
        "no-file",
        "empty",
        "too-large",
        "text",
        "gif",
        "svg",
        "cut-off",
        "too-many-pixels",
        "no-alt",
    ],
)
def test_a_bad_upload_is_refused_with_a_message(staff, shop, private_folder, data, name, alt, says):
    content = data() if callable(data) else data
    r = upload(staff, content, name=name, alt=alt)
    assert r.status_code == 400
    assert says in error(r)
    assert stored(private_folder) == []
    assert not Product.objects.get(slug="acupressure-probe").photo


# --- who may ---


def test_patients_cannot_upload(client, shop, private_folder):
    client.force_login(person("mei", age=40).user)
    assert upload(client, image("JPEG")).status_code == 403
    assert stored(private_folder) == []


def test_the_upload_page_needs_the_product_permission(client, shop):
    orders_only = get_user_model().objects.create_user("till@clinic.example")
    orders_only.user_permissions.add(Permission.objects.get(codename="change_order"))
    client.force_login(orders_only, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/shop/staff/products/").status_code == 403


def test_the_photo_has_no_public_address(staff, shop, private_folder, settings):
    upload(staff, image("JPEG"))
    name = Product.objects.get(slug="acupressure-probe").photo.name
    assert staff.get(f"{settings.MEDIA_URL}{name}").status_code == 404
    assert staff.get(f"{settings.STATIC_URL}{name}").status_code == 404


def test_uploading_refuses_get(staff, shop):
    assert staff.get("/shop/staff/products/acupressure-probe/photo/").status_code == 405


def test_without_a_storage_named_photos_go_to_the_configured_folder(
    staff, shop, settings, tmp_path
):
    settings.STORAGES = {k: v for k, v in settings.STORAGES.items() if k != "shop_photos"}
    settings.ANMIAN_SHOP_PHOTOS_DIR = tmp_path / "shared"
    assert upload(staff, image("PNG")).status_code == 302
    assert [p.suffix for p in (tmp_path / "shared").rglob("*.png")] == [".png"]
