"""Domain errors the services translate into clear answers (4xx, apologies), never stack traces."""


class StoreError(Exception):
    """Base class for expected, user-facing failures."""


class NotFound(StoreError):
    pass


class InvalidInput(StoreError):
    pass


class OutOfStock(StoreError):
    pass


class EmptyCart(StoreError):
    pass
