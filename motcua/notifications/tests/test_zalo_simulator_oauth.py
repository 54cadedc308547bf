"""The ZaloSimulator speaks Zalo's OAuth v4 for Official Accounts next to ZNS.

Requirement (Zalo access tokens expire after 25 hours): the stand-in the plugin is tested
against must behave like Zalo where it matters: refresh tokens work once, the answer carries a
new one, secret key and app id are checked, and ZNS answers -124 to unknown or expired access
tokens, while the static token of older setups keeps working.
"""

import httpx
import pytest

from motcua.notifications.zalo_simulator import ZaloSimulator

APP_ID = "1234567890"
SECRET = "simulator-secret"


@pytest.fixture
def simulator():
    with ZaloSimulator(token="static", app_id=APP_ID, secret_key=SECRET, access_token_lifetime=3600) as running:
        yield running


def _refresh(simulator, refresh_token, *, app_id=APP_ID, secret=SECRET):
    response = httpx.post(
        simulator.oauth_url,
        data={"refresh_token": refresh_token, "app_id": app_id, "grant_type": "refresh_token"},
        headers={"secret_key": secret},
    )
    assert response.status_code == 200
    return response.json()


def _zns(simulator, access_token, tracking_id="t-1"):
    payload = {"phone": "84912345678", "template_id": "x", "template_data": {}, "tracking_id": tracking_id}
    return httpx.post(f"{simulator.url}/message/template", json=payload, headers={"access_token": access_token}).json()


def test_a_refresh_token_buys_a_new_pair_once(simulator):
    first = simulator.issue_refresh_token()
    pair = _refresh(simulator, first)
    assert set(pair) == {"access_token", "refresh_token", "expires_in"} and pair["expires_in"] == "3600"
    assert pair["refresh_token"] != first

    again = _refresh(simulator, first)
    assert again["error"] == -14014 and again["error_name"] == "Invalid refresh token"
    assert simulator.refresh_token_reuses == 1
    assert "access_token" in _refresh(simulator, pair["refresh_token"]), "the new one works"
    assert simulator.refresh_calls == 3


def test_app_id_and_secret_key_are_checked(simulator):
    token = simulator.issue_refresh_token()
    assert _refresh(simulator, token, secret="wrong")["error"] == -14003
    assert _refresh(simulator, token, app_id="999")["error"] == -14002
    assert "access_token" in _refresh(simulator, token), "a refused call does not use the token up"


def test_zns_takes_issued_unexpired_tokens_and_the_static_one(simulator):
    access_token = _refresh(simulator, simulator.issue_refresh_token())["access_token"]
    assert _zns(simulator, access_token)["error"] == 0
    assert _zns(simulator, "made-up", "t-2")["error"] == -124

    simulator.expire_access_tokens()
    assert _zns(simulator, access_token, "t-3")["error"] == -124
    assert simulator.token_refusals == 2
    assert _zns(simulator, "static", "t-4")["error"] == 0, "token= still works"
