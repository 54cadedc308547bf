"""Which Zalo access token the "http" plugin uses, by the settings.

Requirement (Zalo access tokens expire after 25 hours): with MOTCUA_ZALO_APP_ID the plugin
renews tokens itself, and production refuses to start half-configured; without it, the static
MOTCUA_ZALO_ACCESS_TOKEN of existing setups is used as before, and nothing is stored.
"""

import pytest

from motcua.core.tests.test_settings_profiles import STARTS, _load
from motcua.notifications.models import ZaloOaToken
from motcua.notifications.zalo import StaticAccessToken, ZaloOaTokens, zalo_gateways


@pytest.mark.django_db
def test_without_an_app_id_the_static_token_is_used(zalo_simulator):
    gateway = zalo_gateways.get()
    assert isinstance(gateway.tokens, StaticAccessToken)
    gateway.send(phone="0912345678", template_id="motcua_accepted", template_data={}, tracking_id="mc-1")
    assert len(zalo_simulator.messages) == 1 and not ZaloOaToken.objects.exists()


def test_with_an_app_id_tokens_are_renewed(zalo_oauth_simulator):
    assert isinstance(zalo_gateways.get().tokens, ZaloOaTokens)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MOTCUA_ZALO_APP_ID": "1234"}, "MOTCUA_ZALO_SECRET_KEY"),
        (
            {"MOTCUA_ZALO_APP_ID": "1234", "MOTCUA_ZALO_SECRET_KEY": "s", "MOTCUA_ZALO_OAUTH_URL": "http://zalo.test"},
            "https://",
        ),
    ],
)
def test_production_refuses_half_configured_renewal(env, message):
    result = _load("motcua.conf.production", **STARTS, **env)
    assert result.returncode != 0 and message in result.stderr


def test_production_starts_with_renewal_configured():
    result = _load("motcua.conf.production", **STARTS, MOTCUA_ZALO_APP_ID="1234", MOTCUA_ZALO_SECRET_KEY="s")
    assert result.returncode == 0, result.stderr
