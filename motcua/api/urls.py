from django.urls import path

from motcua.api import views

app_name = "api"
urlpatterns = [
    path("procedures/", views.ProcedureListView.as_view(), name="procedure_list"),
    path("procedures/<str:code>/", views.ProcedureDetailView.as_view(), name="procedure_detail"),
    path("fields/", views.FieldListView.as_view(), name="field_list"),
    path("agencies/", views.AgencyListView.as_view(), name="agency_list"),
    path("units/", views.AdministrativeUnitListView.as_view(), name="unit_list"),
]
