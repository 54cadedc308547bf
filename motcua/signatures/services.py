"""Recording refused signatures: the signing runs inside the caller's transaction, which the
refusal rolls back, so the attempt is recorded afterwards, in a transaction of its own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import models, transaction

from motcua.core.audit import audit_record
from motcua.signatures.errors import SigningFailed


@contextmanager
def signing_refusal_recorded(
    *, actor: Any, obj: models.Model, attempted: str, step: int | None = None
) -> Iterator[None]:
    """Around (outside) the transaction that signs: a `SigningFailed` (no time stamp, a
    certificate that does not validate) leaves that transaction rolled back, nothing issued;
    it is audited (`signatures.signing_refused`) and raised again for the caller's message."""
    try:
        yield
    except SigningFailed as refused:
        with transaction.atomic():
            audit_record(
                actor=actor,
                action="signatures.signing_refused",
                obj=obj,
                summary={"step": step, "attempted": attempted, "code": refused.code, "message": refused.message},
            )
        raise
