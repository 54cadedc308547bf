"""Pages built once and served to every visitor who has nothing of their own on them.

A visitor without a session and without flash messages sees exactly what any other such visitor
sees, but for the CSRF token: the page is rendered with `CSRF_SLOT` in its place and each
response gets the visitor's own token. Anyone with a session (a logged-in citizen or officer, a
started form) gets a page rendered for them.
"""

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token

# Stands for the visitor's CSRF token in a shared page; each response gets its own token.
CSRF_SLOT = "csrf-token-slot-0b7e"


def visitor_is_anonymous(request: HttpRequest) -> bool:
    """Whether the page may be one shared with every other visitor: no session, no messages."""
    return not {settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name} & request.COOKIES.keys()


def shared_page_response(request: HttpRequest, html: str) -> HttpResponse:
    """A shared page with this visitor's CSRF token in place of the slot."""
    return HttpResponse(html.replace(CSRF_SLOT, get_token(request)))
