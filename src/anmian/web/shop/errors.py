"""The shop's errors: each carries the HTTP status the API answers with and words for the
person."""

from __future__ import annotations

from typing import Any


class ShopError(Exception):
    status = 400

    def __init__(self, message: str, **extra: Any):
        super().__init__(message)
        self.message, self.extra = message, extra


class BadRequest(ShopError):
    status = 422


class NotSafe(ShopError):
    status = 422
    # the cautions not yet accepted as the page shows them, in its language; the API's body
    # (`extra`) keeps the English
    shown: list[str] = []


class OutOfStock(ShopError):
    status = 409


class PriceChanged(ShopError):
    status = 409


class UnknownOrder(ShopError):
    status = 404
