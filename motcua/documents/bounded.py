"""Run the inspection of an untrusted upload in a child process under hard CPU and memory limits.

Parsers keep getting published flaws that cost quadratic time or unbounded memory (pypdf's
broken-FlateDecode one made a 16.7 KB PDF cost 17 s of CPU). Inspecting each upload in a
throw-away child limited by RLIMIT_CPU and RLIMIT_AS, with a wall-clock deadline in the parent,
turns the next such flaw into one refusal instead of a blocked web worker.

Children are forked from a multiprocessing "forkserver" that has already loaded Django and the
parsers (`motcua.documents.bounded_preload`), so a start costs milliseconds instead of the
second a fresh interpreter needs; forking the forkserver is also safe, unlike forking a
threaded web worker.
"""

from __future__ import annotations

import contextlib
import logging
import math
import multiprocessing
import multiprocessing.forkserver
import os
import resource
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from motcua.core.errors import ApplicationError

logger = logging.getLogger(__name__)

T = TypeVar("T")

MB = 1024 * 1024
# Wall-clock time allowed beyond the CPU limit: process start-up, and a machine busy enough that
# the child does not get a whole core.
WALL_GRACE_SECONDS = 1.0

_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["motcua.documents.bounded_preload"])


def start_forkserver() -> None:
    """Start the forkserver now; it loads Django in the background (about 2 s), so the first
    upload a web worker inspects does not wait for that."""
    multiprocessing.forkserver.ensure_running()


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _address_space_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _apply_limits(cpu_seconds: int, memory_bytes: int) -> None:
    # SIGXCPU at the soft limit ends the child (even inside C code such as zlib); the hard limit
    # one second later is SIGKILL in case the signal is caught.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    # On top of what the child already maps (Django, pikepdf, Pillow): the limit is what the
    # inspection itself may take. Over it, allocations fail with MemoryError.
    limit = _address_space_bytes() + memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _child_main(
    conn: Connection,
    func: Callable[..., Any],
    args: tuple[Any, ...],
    cpu_seconds: int,
    memory_bytes: int,
    language: str | None,
) -> None:
    import django
    from django.apps import apps

    if not apps.ready:  # the forkserver's preload normally did it
        django.setup()
    _apply_limits(cpu_seconds, memory_bytes)
    outcome: tuple[str, Any]
    try:
        with translation.override(language):
            outcome = ("ok", func(*args))
    except MemoryError:
        outcome = ("too_complex", None)
    except ApplicationError as exc:
        # The inspectors map any parser exception to "broken"; running out of memory is not that.
        outcome = ("too_complex", None) if _caused_by(exc, MemoryError) else ("refused", exc)
    except Exception:
        outcome = ("crashed", traceback.format_exc())
    conn.send(outcome)
    conn.close()


def too_complex_error(display: str) -> ApplicationError:
    cpu_seconds = settings.MOTCUA_UPLOAD_INSPECT_CPU_SECONDS
    memory_mb = settings.MOTCUA_UPLOAD_INSPECT_MEMORY_MB
    return ApplicationError(
        _(
            "Tệp quá phức tạp để kiểm tra: “%(name)s” cần hơn %(seconds)d giây xử lý hoặc %(memory)d MB bộ nhớ. "
            "Hãy in tài liệu ra một tệp PDF mới (In → Lưu dưới dạng PDF) hoặc chụp lại ảnh rồi tải lên lại."
        )
        % {"name": display, "seconds": cpu_seconds, "memory": memory_mb},
        code="upload_too_complex",
        extra={"cpu_seconds": cpu_seconds, "memory_mb": memory_mb},
    )


def run_bounded(func: Callable[..., T], *args: Any, display: str) -> T:
    """Return `func(*args)` computed in a child process under the upload inspection limits.

    `func` must be a module-level function (it is sent by name) and its arguments and result
    picklable. An `ApplicationError` raised by `func` is raised here unchanged; a child that
    passes `MOTCUA_UPLOAD_INSPECT_CPU_SECONDS` of CPU, `MOTCUA_UPLOAD_INSPECT_MEMORY_MB` of
    memory, the wall-clock deadline, or dies, gives `upload_too_complex` naming `display`.
    The caller never waits longer than the CPU limit plus `WALL_GRACE_SECONDS` after start-up.
    """
    cpu_seconds = max(1, math.ceil(settings.MOTCUA_UPLOAD_INSPECT_CPU_SECONDS))
    memory_bytes = settings.MOTCUA_UPLOAD_INSPECT_MEMORY_MB * MB
    receiver, sender = _CONTEXT.Pipe(duplex=False)
    process = _CONTEXT.Process(
        target=_child_main,
        args=(sender, func, args, cpu_seconds, memory_bytes, translation.get_language()),
        daemon=True,
    )
    try:
        process.start()
        sender.close()
        outcome: tuple[str, Any] = ("too_complex", None)
        if receiver.poll(cpu_seconds + WALL_GRACE_SECONDS):
            # EOFError: killed by the CPU limit, or died in C code.
            with contextlib.suppress(EOFError):
                outcome = receiver.recv()
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receiver.close()
    kind, value = outcome
    if kind == "ok":
        return value
    if kind == "refused":
        raise value
    if kind == "crashed":
        raise RuntimeError(f"Upload inspection failed in the child process:\n{value}")
    logger.warning("Upload %r refused: inspection over its limits (child exit code %s)", display, process.exitcode)
    raise too_complex_error(display)
