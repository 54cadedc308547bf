from django.contrib import admin

from motcua.directory.models import AdministrativeUnit, Agency, OrgUnit, PostOffice, StaffRole


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(admin.ModelAdmin[AdministrativeUnit]):
    list_display = ["code", "name", "kind", "parent", "valid_from", "valid_to"]
    list_filter = ["kind"]
    search_fields = ["code", "name", "name_folded"]
    autocomplete_fields = ["parent"]


class OrgUnitInline(admin.TabularInline[OrgUnit, Agency]):
    model = OrgUnit
    extra = 0


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin[Agency]):
    list_display = ["code", "electronic_id", "name", "kind", "unit", "tax_code", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "electronic_id", "name"]
    autocomplete_fields = ["unit"]
    inlines = [OrgUnitInline]


@admin.register(PostOffice)
class PostOfficeAdmin(admin.ModelAdmin[PostOffice]):
    list_display = ["code", "name", "unit"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["unit"]
    filter_horizontal = ["agencies"]


@admin.register(StaffRole)
class StaffRoleAdmin(admin.ModelAdmin[StaffRole]):
    list_display = ["user", "role", "agency", "org_unit", "post_office"]
    list_filter = ["role", "agency__kind"]
    search_fields = ["user__username", "user__last_name", "agency__name"]
    autocomplete_fields = ["agency"]
    raw_id_fields = ["user", "org_unit", "post_office"]
