"""The panel of a dossier's page where the handling agency stops processing or decides on the
citizen's request to withdraw (`{% load closing_panel %}{% closing_panel dossier %}`), and the
list of requests waiting for the officer's decision on the work queue (`{% withdrawals_waiting %}`)."""

from typing import Any

from django import template

from motcua.dossiers.closing import (
    CLOSABLE,
    officer_may_decide_withdrawal,
    officer_may_stop,
    withdrawal_pending,
    withdrawals_pending_for_officer,
)
from motcua.dossiers.models import Dossier

register = template.Library()


@register.inclusion_tag("backoffice/_closing_panel.html", takes_context=True)
def closing_panel(context: template.Context, dossier: Dossier) -> dict[str, Any]:
    user = context["request"].user
    closable = dossier.status in CLOSABLE
    # A request still waits once the result is issued: it can then only be refused.
    pending = withdrawal_pending(dossier)
    return {
        "csrf_token": context.get("csrf_token"),
        "dossier": dossier,
        "closable": closable,
        "pending": pending,
        "may_decide": pending is not None and officer_may_decide_withdrawal(officer=user, dossier=dossier),
        "may_stop": closable and officer_may_stop(officer=user, dossier=dossier),
    }


WAITING_SHOWN = 20


@register.inclusion_tag("backoffice/_withdrawals_waiting.html", takes_context=True)
def withdrawals_waiting(context: template.Context) -> dict[str, Any]:
    return {"waiting": list(withdrawals_pending_for_officer(context["request"].user)[:WAITING_SHOWN])}
