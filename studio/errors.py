"""Domain errors the services raise; the API turns them into responses (studio.api_base)."""


class Conflict(Exception):
    """The write collides with something that exists (a booking, an issued invoice): HTTP 409.

    ``detail`` names what it collides with, so the user knows what to move.
    """

    def __init__(self, detail: str, *, code: str = "conflict") -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code
