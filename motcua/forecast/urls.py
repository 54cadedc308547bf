from django.urls import path

from motcua.forecast import views

app_name = "forecast"
urlpatterns = [
    path("du-bao/", views.demand_forecast_page, name="demand"),
]
