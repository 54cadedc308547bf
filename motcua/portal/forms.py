from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.catalog.constants import OnlineLevel, ProcedureLevel
from motcua.catalog.models import Field
from motcua.directory.constants import AgencyKind
from motcua.directory.models import Agency


class ProcedureSearchForm(forms.Form):
    q = forms.CharField(label=_("Tìm thủ tục"), required=False, max_length=200)
    field = forms.ChoiceField(label=_("Lĩnh vực"), required=False)
    agency = forms.ChoiceField(label=_("Cơ quan"), required=False)
    level = forms.ChoiceField(
        label=_("Cấp thực hiện"), required=False, choices=[("", _("Tất cả")), *ProcedureLevel.choices]
    )
    online_level = forms.ChoiceField(
        label=_("Mức độ trực tuyến"), required=False, choices=[("", _("Tất cả")), *OnlineLevel.choices]
    )

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        agencies = Agency.objects.filter(is_active=True).exclude(kind=AgencyKind.DISTRICT_COMMITTEE)
        field_choices = [("", _("Tất cả")), *Field.objects.values_list("code", "name")]
        agency_choices = [("", _("Tất cả")), *agencies.values_list("code", "name")]
        self.fields["field"].choices = field_choices  # type: ignore[attr-defined]
        self.fields["agency"].choices = agency_choices  # type: ignore[attr-defined]
