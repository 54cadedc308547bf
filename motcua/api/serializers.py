from rest_framework import serializers

from motcua.catalog.models import DossierComponent, Fee, Field, Procedure, ProcedureVersion
from motcua.directory.models import AdministrativeUnit, Agency


class FieldSerializer(serializers.ModelSerializer[Field]):
    procedure_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Field
        fields = ["code", "name", "procedure_count"]


class AgencySerializer(serializers.ModelSerializer[Agency]):
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Agency
        fields = ["code", "electronic_id", "name", "kind", "unit"]


class AdministrativeUnitSerializer(serializers.ModelSerializer[AdministrativeUnit]):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = AdministrativeUnit
        fields = ["code", "name", "kind", "parent", "valid_from", "valid_to"]


class ProcedureListSerializer(serializers.ModelSerializer[Procedure]):
    field = serializers.SlugRelatedField(slug_field="code", read_only=True)
    field_name = serializers.CharField(source="field.name", read_only=True)
    managing_agency = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    processing_time = serializers.DecimalField(
        source="current_version.processing_time", max_digits=7, decimal_places=2, read_only=True
    )
    processing_time_unit = serializers.CharField(source="current_version.processing_time_unit", read_only=True)
    version = serializers.IntegerField(source="current_version.number", read_only=True)
    # Known only from the national index: found, but filed at the counter, not through the API.
    information_only = serializers.BooleanField(read_only=True)

    class Meta:
        model = Procedure
        fields = [
            "code",
            "name",
            "field",
            "field_name",
            "level",
            "online_level",
            "managing_agency",
            "processing_time",
            "processing_time_unit",
            "version",
            "information_only",
        ]


class FeeSerializer(serializers.ModelSerializer[Fee]):
    class Meta:
        model = Fee
        fields = ["kind", "name", "amount", "description", "exemption"]


class DossierComponentSerializer(serializers.ModelSerializer[DossierComponent]):
    class Meta:
        model = DossierComponent
        fields = ["id", "name", "original_copies", "copy_copies", "required", "template", "note"]


class LegalBasisSerializer(serializers.Serializer):
    number = serializers.CharField()
    title = serializers.CharField()


class ProcedureVersionSerializer(serializers.ModelSerializer[ProcedureVersion]):
    field = serializers.SlugRelatedField(slug_field="code", read_only=True)
    managing_agency = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    fees = FeeSerializer(many=True, read_only=True)
    components = DossierComponentSerializer(many=True, read_only=True)
    applicants = serializers.ListField(child=serializers.CharField())
    methods = serializers.ListField(child=serializers.CharField())
    steps = serializers.ListField(child=serializers.CharField())
    results = serializers.ListField(child=serializers.CharField())
    legal_basis = LegalBasisSerializer(many=True)

    class Meta:
        model = ProcedureVersion
        fields = [
            "number",
            "published_at",
            "name",
            "field",
            "level",
            "implementing_agency",
            "managing_agency",
            "applicants",
            "methods",
            "processing_time",
            "processing_time_unit",
            "processing_time_note",
            "online_level",
            "full_process_eligible",
            "paper_result_required",
            "fees",
            "components",
            "steps",
            "conditions",
            "results",
            "legal_basis",
            "verification",
        ]


class ProcedureDetailSerializer(serializers.ModelSerializer[Procedure]):
    version = ProcedureVersionSerializer(source="current_version", read_only=True)
    information_only = serializers.BooleanField(read_only=True)

    class Meta:
        model = Procedure
        fields = ["code", "name", "level", "online_level", "information_only", "version"]
