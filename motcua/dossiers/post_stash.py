"""Answers posted to an e-form page after the session expired, kept until the same browser is
logged in again.

A stash belongs to the browser session that posted it: the answers sit in the cache under a
random id that only that session's data holds (never a URL), and Django keeps session data when
the session key is cycled at login. The person then sees the answers and they are applied only on
a confirming POST, so a link sent by someone else can never write into their draft. Stashes are
bounded in size, number per session, lifetime and creations per client address.
"""

import json
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext as _

from motcua.accounts.services import RateLimit, client_ip
from motcua.core.errors import ApplicationError

SESSION_KEY = "dossiers_post_stashes"  # {page path: stash id}, oldest first
# A new page is rendered with a fresh revision and token; keeping the posted ones is pointless.
NOT_KEPT = {"csrfmiddlewaretoken", "revision"}


@dataclass(frozen=True)
class PostStash:
    path: str
    data: dict[str, list[str]]

    def as_querydict(self) -> QueryDict:
        posted = QueryDict(mutable=True)
        for name, values in self.data.items():
            posted.setlist(name, values)
        return posted


def _cache_key(stash_id: str) -> str:
    return f"motcua:post-stash:{stash_id}"


def _creation_limit() -> RateLimit:
    return RateLimit("post-stash-ip", settings.MOTCUA_POST_STASHES_PER_IP_PER_HOUR, 3600)


def post_stash_keep(request: HttpRequest) -> None:
    """Keep what this anonymous request posted for its own session.

    Refuses with "post_stash_too_large" or "post_stash_rate_limited"; then nothing is kept.
    """
    data = {name: values for name, values in request.POST.lists() if name not in NOT_KEPT}
    max_bytes = settings.MOTCUA_POST_STASH_MAX_BYTES
    if len(json.dumps(data, ensure_ascii=False).encode()) > max_bytes:
        raise ApplicationError(
            _(
                "Thông tin bạn vừa nhập lớn hơn %(size)d KB nên không được giữ lại. "
                "Hãy đăng nhập lại và nhập lại thông tin."
            )
            % {"size": max_bytes // 1024},
            code="post_stash_too_large",
        )
    limit, address = _creation_limit(), client_ip(request)
    if limit.blocked_for(address):
        raise ApplicationError(
            _(
                "Thiết bị này đã gửi quá nhiều thông tin khi chưa đăng nhập nên thông tin vừa nhập "
                "không được giữ lại. Hãy đăng nhập lại và nhập lại thông tin."
            ),
            code="post_stash_rate_limited",
        )
    limit.hit(address)
    kept: dict[str, str] = dict(request.session.get(SESSION_KEY, {}))
    if previous := kept.pop(request.path, None):
        cache.delete(_cache_key(previous))
    while len(kept) >= settings.MOTCUA_POST_STASHES_PER_SESSION:
        cache.delete(_cache_key(kept.pop(next(iter(kept)))))
    stash_id = secrets.token_urlsafe(16)
    cache.set(_cache_key(stash_id), {"path": request.path, "data": data}, settings.MOTCUA_POST_STASH_SECONDS)
    kept[request.path] = stash_id
    request.session[SESSION_KEY] = kept


def post_stash_pending(request: HttpRequest) -> PostStash | None:
    """The answers this logged-in session posted to this page before logging in, if still kept."""
    if not request.user.is_authenticated:
        return None
    stash_id = request.session.get(SESSION_KEY, {}).get(request.path)
    stored = cache.get(_cache_key(stash_id)) if stash_id else None
    if not stored or stored.get("path") != request.path:
        if stash_id:  # expired: forget the id too
            _forget(request)
        return None
    return PostStash(path=request.path, data=stored["data"])


def post_stash_take(request: HttpRequest) -> PostStash | None:
    """The pending stash of this page, removed whether it is then applied or declined."""
    stash = post_stash_pending(request)
    if stash is not None:
        _forget(request)
    return stash


def _forget(request: HttpRequest) -> None:
    kept: dict[str, str] = dict(request.session.get(SESSION_KEY, {}))
    if stash_id := kept.pop(request.path, None):
        cache.delete(_cache_key(stash_id))
    if kept:
        request.session[SESSION_KEY] = kept
    else:
        request.session.pop(SESSION_KEY, None)
