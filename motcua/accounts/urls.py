"""Citizen account pages, mounted at /tai-khoan/ with the namespace "accounts".

`sso_urlpatterns` are the OIDC login and callback. allauth reverses them by their own names
("openid_connect_login", "openid_connect_callback") without a namespace, so they must be included
at the root, outside "accounts":

    path("tai-khoan/sso/", include(sso_urlpatterns)),

allauth's other pages (its signup, password and e-mail pages) are deliberately not routed.
"""

from django.urls import URLPattern, path

from motcua.accounts import views

app_name = "accounts"
urlpatterns: list[URLPattern] = [
    path("", views.profile_view, name="profile"),
    path("dang-nhap/", views.login_view, name="login"),
    path("dang-xuat/", views.logout_view, name="logout"),
    path("dang-ky/", views.signup_view, name="signup"),
    path("dang-ky/xac-thuc/", views.signup_verify_view, name="signup_verify"),
    path("thong-bao/", views.notification_preferences_view, name="notification_preferences"),
    path("doi-so-dien-thoai/", views.phone_change_view, name="phone_change"),
    path("doi-so-dien-thoai/xac-thuc/", views.phone_change_verify_view, name="phone_change_verify"),
    path("to-chuc/", views.representations_view, name="representations"),
    path("to-chuc/<int:pk>/xoa/", views.representation_remove_view, name="representation_remove"),
]

sso_urlpatterns: list[URLPattern] = [
    path("oidc/<str:provider_id>/login/", views.sso_login_view, name="openid_connect_login"),
    path("oidc/<str:provider_id>/login/callback/", views.sso_callback_view, name="openid_connect_callback"),
]
