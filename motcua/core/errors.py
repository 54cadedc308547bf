"""Errors raised by services, each with a stable code and a Vietnamese message."""

from typing import Any


class ApplicationError(Exception):
    """A refused business action. Views show `message`; APIs return `code` and `message`."""

    code = "application_error"

    def __init__(self, message: str, *, code: str | None = None, extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.extra = extra or {}
