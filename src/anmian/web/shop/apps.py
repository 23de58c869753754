from django.apps import AppConfig


class ShopConfig(AppConfig):
    name = "anmian.web.shop"
    label = "shop"
    verbose_name = "Shop"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from anmian.web.shop import cart

        # The visitor's cart joins the account's cart the moment they log in.
        user_logged_in.connect(cart.merge_on_login, dispatch_uid="shop-merge-cart")
