from django.urls import path

from anmian.web.shop import staff, views

app_name = "shop"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("p/<slug:slug>/", views.product, name="product"),
    path("p/<slug:slug>/add/", views.add, name="add"),
    path("p/<slug:slug>/photo/", views.photo, name="photo"),
    path("cart/", views.cart_page, name="cart"),
    path("cart/<slug:slug>/", views.update, name="update"),
    path("safety/", views.questions, name="questions"),
    path("checkout/", views.checkout, name="checkout"),
    path("orders/", views.orders, name="orders"),
    path("orders/<uuid:uid>/", views.order, name="order"),
    path("orders/<uuid:uid>/pay/", views.pay, name="pay"),
    path("courses/<uuid:uid>/", views.course, name="course"),
    path("courses/<uuid:uid>/pay/", views.pay_course, name="pay-course"),
    path("payments/dummy/", views.dummy_callback, name="dummy-callback"),
    path("payments/stripe/", views.stripe_webhook, name="stripe-webhook"),
    path("staff/orders/", staff.orders, name="staff-orders"),
    path("staff/orders/<uuid:uid>/", staff.advance, name="staff-advance"),
    path("staff/orders/<uuid:uid>/slip/", staff.slip, name="staff-slip"),
    path("staff/products/", staff.products, name="staff-products"),
    path("staff/products/<slug:slug>/photo/", staff.photo, name="staff-photo"),
]
