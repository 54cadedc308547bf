from typing import Any

from django import template

from motcua.delivery.selectors import delivery_panel

register = template.Library()


@register.inclusion_tag("delivery/panel.html", takes_context=True)
def delivery_panel_for(context: template.Context) -> dict[str, Any]:
    """The result's way to the citizen on the officer's dossier page (one include, so the page's
    own template and view stay as they are)."""
    dossier = context["dossier"]
    return {
        "dossier": dossier,
        "csrf_token": context.get("csrf_token"),
        **delivery_panel(dossier=dossier, officer=context["request"].user),
    }
