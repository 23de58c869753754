from django.apps import AppConfig


class ShopConfig(AppConfig):
    name = "anmian.web.shop"
    label = "shop"
    verbose_name = "Shop"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from anmian.web.booking import services as booking
        from anmian.web.shop import cart, refunds

        # The visitor's cart joins the account's cart the moment they log in.
        user_logged_in.connect(cart.merge_on_login, dispatch_uid="shop-merge-cart")
        # A cancelled session of a paid course is refunded as the clinic's policy says.
        booking.add_cancel_hook(refunds.SessionRefunds())
