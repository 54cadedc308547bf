from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from motcua.catalog.constants import OnlineLevel, ProcedureLevel
from motcua.catalog.selectors import ProcedureFilters, procedure_filter_choices


class LongSelect(forms.Select):
    """A select written out in Python: with every agency of a province as options, the template
    engine's one include per option cost more than the rest of the search page together."""

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], flatatt(option["attrs"]), option["label"])
                for _group, group_options, _index in widget["optgroups"]
                for option in group_options
            ),
        )
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(widget["attrs"]), options)


class ProcedureSearchForm(forms.Form):
    q = forms.CharField(label=_("Tìm thủ tục"), required=False, max_length=200)
    field = forms.ChoiceField(label=_("Lĩnh vực"), required=False, widget=LongSelect)
    agency = forms.ChoiceField(label=_("Cơ quan"), required=False, widget=LongSelect)
    level = forms.ChoiceField(
        label=_("Cấp thực hiện"), required=False, choices=[("", _("Tất cả")), *ProcedureLevel.choices]
    )
    online_level = forms.ChoiceField(
        label=_("Mức độ trực tuyến"), required=False, choices=[("", _("Tất cả")), *OnlineLevel.choices]
    )

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        for name, choices in procedure_filter_choices().items():
            self.fields[name].choices = [("", _("Tất cả")), *choices]  # type: ignore[attr-defined]

    def filters(self) -> ProcedureFilters:
        """What the visitor asked for; no filter while the form is not valid."""
        if not self.is_valid():
            return ProcedureFilters()
        return ProcedureFilters(
            **{name: self.cleaned_data[name] for name in ("field", "agency", "level", "online_level")},
            query=self.cleaned_data["q"],
        )
