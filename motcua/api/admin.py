from typing import Any

from django import forms
from django.contrib import admin

from motcua.api.models import ApiClient
from motcua.api.selectors import SCOPES


class ApiClientForm(forms.ModelForm[ApiClient]):
    """The scopes as check boxes, stored space-separated as OAuth2 writes them."""

    scopes = forms.MultipleChoiceField(choices=list(SCOPES.items()), widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = ApiClient
        fields = ["application", "agency", "service_account", "scopes", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["scopes"] = self.instance.scope_list()

    def clean_scopes(self) -> str:
        return " ".join(self.cleaned_data["scopes"])


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin[ApiClient]):
    """Systems calling the back-office API. Register the OAuth2 application first (confidential,
    client credentials; copy its secret before saving: only a hash is kept), then bind it here."""

    form = ApiClientForm
    list_display = ["__str__", "agency", "service_account", "scopes", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["application__name", "application__client_id", "service_account__username", "agency__name"]
    autocomplete_fields = ["agency"]
    raw_id_fields = ["application", "service_account"]
