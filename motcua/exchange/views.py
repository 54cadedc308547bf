from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from motcua.core.errors import ApplicationError
from motcua.dossiers.reception import officer_may_receive
from motcua.dossiers.selectors import dossier_get_for_officer
from motcua.exchange.constants import OFFICER_PURPOSES
from motcua.exchange.services import business_lookup, dossier_is_business


@require_http_methods(["GET", "POST"])
def business_lookup_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The reception officer looks a business up by tax code while receiving its dossier.

    The answer is shown, never stored; the look-up itself is logged with its purpose.
    """
    dossier = dossier_get_for_officer(user=request.user, pk=pk)
    if not officer_may_receive(officer=request.user, dossier=dossier):
        raise PermissionDenied
    representation = dossier.representation
    values = {
        "tax_code": request.POST.get("tax_code", representation.tax_code if representation else ""),
        "purpose": request.POST.get("purpose", ""),
    }
    context = {
        "dossier": dossier,
        "is_business": dossier_is_business(dossier),
        "purposes": [(purpose.value, purpose.label) for purpose in OFFICER_PURPOSES],
        "values": values,
        "looked_up": False,
        "business": None,
        "error": None,
    }
    if request.method == "POST":
        try:
            context["business"] = business_lookup(
                officer=request.user, dossier=dossier, tax_code=values["tax_code"], purpose=values["purpose"]
            )
            context["looked_up"] = True
        except ApplicationError as error:  # ExchangeError included: the registry did not answer
            context["error"] = error.message
    return render(request, "exchange/business_lookup.html", context)
