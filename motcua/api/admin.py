from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import Application

from motcua.api.models import ApiClient
from motcua.api.selectors import SCOPES, api_client_problems


class ApiClientForm(forms.ModelForm[ApiClient]):
    """The scopes as check boxes, stored space-separated as OAuth2 writes them."""

    scopes = forms.MultipleChoiceField(
        label=_("phạm vi được cấp"), choices=list(SCOPES.items()), widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ApiClient
        fields = ["agency", "service_account", "scopes", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["scopes"] = self.instance.scope_list()

    def clean_scopes(self) -> str:
        return " ".join(self.cleaned_data["scopes"])


class ApiClientAddForm(ApiClientForm):
    """Registering a system makes its OAuth2 application too (confidential, client credentials),
    so administrators never fill the toolkit's own form; the secret is shown once, then only
    its hash is kept."""

    name = forms.CharField(label=_("tên hệ thống"), max_length=255)

    class Meta(ApiClientForm.Meta):
        fields = ["name", *ApiClientForm.Meta.fields]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        self.plain_secret = generate_client_secret()
        self.instance.application = Application(
            name=cleaned.get("name", ""),
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
            client_secret=self.plain_secret,
        )
        agency, account, scopes = cleaned.get("agency"), cleaned.get("service_account"), cleaned.get("scopes")
        if agency and account and scopes:
            # The model's own check waits for a saved application; this one is saved with the binding.
            candidate = ApiClient(
                application=self.instance.application, agency=agency, service_account=account, scopes=scopes
            )
            if problem := api_client_problems(client=candidate):
                raise forms.ValidationError(problem)
        return cleaned


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin[ApiClient]):
    """Systems calling the back-office API (docs/api.md)."""

    form = ApiClientForm
    list_display = ["__str__", "agency", "service_account", "scopes", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["application__name", "application__client_id", "service_account__username", "agency__name"]
    autocomplete_fields = ["agency"]
    raw_id_fields = ["service_account"]

    def get_form(self, request: HttpRequest, obj: ApiClient | None = None, change: bool = False, **kwargs: Any) -> Any:
        return super().get_form(request, obj, change, **{**kwargs, "form": ApiClientForm if obj else ApiClientAddForm})

    def get_readonly_fields(self, request: HttpRequest, obj: ApiClient | None = None) -> list[str]:
        return ["client_id"] if obj else []

    @admin.display(description=_("mã ứng dụng (client_id)"))
    def client_id(self, obj: ApiClient) -> str:
        return obj.application.client_id

    def save_model(self, request: HttpRequest, obj: ApiClient, form: Any, change: bool) -> None:
        if not change:
            obj.application.save()  # hashes the secret
            # Per request, not on this admin (one object shared by every thread).
            setattr(request, "api_client_secret", form.plain_secret)  # noqa: B010
        super().save_model(request, obj, form, change)

    def response_add(self, request: HttpRequest, obj: ApiClient, post_url_continue: str | None = None) -> HttpResponse:
        """The client id and secret, shown on this one page and never again."""
        context = {
            **self.admin_site.each_context(request),
            "title": _("Đã đăng ký hệ thống kết nối"),
            "opts": self.opts,
            "api_client": obj,
            "client_id": obj.application.client_id,
            "client_secret": getattr(request, "api_client_secret", ""),
        }
        return TemplateResponse(request, "admin/api/apiclient/registered.html", context)
