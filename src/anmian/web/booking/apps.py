from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "anmian.web.booking"
    label = "booking"
    verbose_name = "Booking"
