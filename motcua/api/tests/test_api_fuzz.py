"""Schemathesis fuzzes every operation of /api/schema/ in process, as an anonymous client, a
citizen, an officer and another system (an OAuth2 client-credentials token of the ward).

Each generated request must get an answer the schema describes: never a 5xx, only documented
status codes, content types and bodies. The examples are bounded and derandomized (no example
database), so a build replays the same requests (about 3,100, under a minute of CPU); path
parameters are drawn half from real rows so detail operations reach dossiers, attachments and
procedures that exist. Throttling stays on: a 429 is documented like any other answer.
"""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.conf import settings
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone
from django.utils.crypto import get_random_string
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.throttling import AnonRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.test import Client as WerkzeugClient

from motcua.api.testing import CLIENT_SECRET, TOKEN_URL, registered_client
from motcua.catalog.models import Procedure
from motcua.core.testing import BIRTH, CITIZEN_PASSWORD, DEATH, citizen, load_catalog
from motcua.directory.constants import Role
from motcua.directory.models import Agency
from motcua.dossiers import services
from motcua.dossiers.constants import DeliveryMethod
from motcua.dossiers.models import DossierStep
from motcua.dossiers.reception import dossier_accept
from motcua.dossiers.testing import officer, submitted_dossier
from motcua.payments.tests.collections_data import owing_dossier, paid

pytestmark = pytest.mark.django_db

# Real path parameters of the running test (filled by `api_data`): the hook below draws from them.
REAL_VALUES: dict[str, list[Any]] = {}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def wsgi_app() -> Iterator[WSGIHandler]:
    """Django's own WSGI handler on the test database's connection (kept open between requests,
    as Django's test client does, so the test's transaction survives every request)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def api_data(sms_demo: Any) -> Iterator[dict[str, Any]]:
    """A citizen with a draft, a dossier handed in to the officer's ward, one sent by post, one
    the ward accepted (its steps open) and one whose fees are paid, and the ward's one-stop system."""
    cache.clear()  # login and tracking limits left by earlier tests
    load_catalog(BIRTH, DEATH)
    hung = citizen()
    birth = Procedure.objects.get(code=BIRTH["code"]).current_version
    death = Procedure.objects.get(code=DEATH["code"]).current_version
    draft = services.dossier_start(applicant=hung, version=birth, unit_code="24121")
    handed_in = submitted_dossier(hung, death)
    posted = submitted_dossier(hung, birth, delivery=DeliveryMethod.POST)
    accepted = submitted_dossier(hung, birth)
    dossier_accept(dossier=accepted, officer=officer("xa.tn"), revision=accepted.revision)
    ward = Agency.objects.get(code="UBND-24121")
    receipt = paid(owing_dossier(hung, birth, agency=ward, fee=50_000, charge=8_000), method="cash", at=timezone.now())
    dossiers = [draft, handed_in, posted, accepted, receipt.dossier]
    REAL_VALUES.update(
        id=[dossier.pk for dossier in dossiers],
        receipt_id=[receipt.pk],
        step_id=list(DossierStep.objects.filter(dossier=accepted).values_list("pk", flat=True)),
        attachment_id=[a.pk for dossier in dossiers for a in dossier.attachments.all()],
        code=[BIRTH["code"], DEATH["code"]] + [dossier.code for dossier in dossiers if dossier.code],
    )
    system = registered_client("mot-cua-phuong", roles=(Role.RECEPTION, Role.SPECIALIST))
    yield {"citizen": hung, "officer": officer("xa.tn"), "draft": draft, "system": system}
    REAL_VALUES.clear()


def _citizen_auth(app: WSGIHandler, data: dict[str, Any]) -> dict[str, Any]:
    """A token from the API's own token endpoint, as a mobile client gets it."""
    response = WerkzeugClient(app).post(
        "/api/v1/auth/token/", json={"phone": data["citizen"].citizen.phone, "password": CITIZEN_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"headers": {"Authorization": f"Token {response.json['token']}"}}


def _officer_auth(app: WSGIHandler, data: dict[str, Any]) -> dict[str, Any]:
    """A logged-in officer's session (staff get no API token), with a CSRF token for writes."""
    client = Client()
    client.force_login(data["officer"])
    csrf = get_random_string(32)
    return {
        "cookies": {
            settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
            "csrftoken": csrf,
        },
        "headers": {"X-CSRFToken": csrf},
    }


def _system_auth(app: WSGIHandler, data: dict[str, Any]) -> dict[str, Any]:
    """A bearer token from the OAuth2 token endpoint, as another system gets it."""
    response = WerkzeugClient(app).post(
        TOKEN_URL,
        data={"grant_type": "client_credentials"},
        auth=(data["system"].application.client_id, CLIENT_SECRET),
    )
    assert response.status_code == 200, response.text
    return {"headers": {"Authorization": f"Bearer {response.json['access_token']}"}}


@pytest.fixture(params=["anonymous", "citizen", "officer", "system"])
def identity(request: pytest.FixtureRequest, wsgi_app: WSGIHandler, api_data: dict[str, Any]) -> dict[str, Any]:
    """How the fuzzed requests authenticate: the one place to change when the token scheme does."""
    if request.param == "anonymous":
        return {}
    authenticate = {"citizen": _citizen_auth, "officer": _officer_auth, "system": _system_auth}[request.param]
    return authenticate(wsgi_app, api_data)


def _schema() -> Any:
    """The schema /api/schema/ serves, built without a request so it loads at collection time
    (schemathesis.pytest.from_fixture, the lazy loader, does not run under pytest 9)."""
    from drf_spectacular.generators import SchemaGenerator

    return schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))


schema = _schema()


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
    if not path_parameters:
        return st.just(path_parameters)
    # Half the time real rows: otherwise nearly every detail request is a plain 404.
    real = st.fixed_dictionaries(
        {name: st.sampled_from(REAL_VALUES[name]) for name in path_parameters if REAL_VALUES.get(name)}
    )
    return st.one_of(st.just(path_parameters), real.map(lambda chosen: {**path_parameters, **chosen}))


@schema.parametrize()
@hypothesis_settings(
    max_examples=25,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_as_its_schema_says(case: Any, wsgi_app: WSGIHandler, identity: dict[str, Any]) -> None:
    case.call_and_validate(
        app=wsgi_app, checks=CHECKS, headers=identity.get("headers"), cookies=identity.get("cookies")
    )


def _answer(wsgi_app: WSGIHandler, identity: dict[str, Any], method: str, path: str, **case: Any) -> Any:
    """One request, checked as the fuzzer checks them (raises on any violation)."""
    made = schema[path][method].Case(**case)
    return made.call_and_validate(
        app=wsgi_app, checks=CHECKS, headers=identity.get("headers"), cookies=identity.get("cookies")
    )


@pytest.mark.parametrize("identity", ["citizen"], indirect=True)
def test_what_the_fuzzer_found_is_in_the_schema(
    wsgi_app: WSGIHandler, identity: dict[str, Any], api_data: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = _answer(wsgi_app, identity, "GET", "/api/v1/dossiers/{id}/", path_parameters={"id": api_data["draft"].pk})
    assert draft.json()["form"] is None and draft.json()["delivery_method"] == ""
    units = _answer(wsgi_app, identity, "GET", "/api/v1/units/").json()["results"]
    assert None in [unit["parent"] for unit in units]
    assert _answer(wsgi_app, identity, "GET", "/api/v1/agencies/", query={"page": 0}).status_code == 404
    # PostgreSQL cannot compare with a NUL character: refused before any query, not a 500.
    nul = _answer(wsgi_app, identity, "GET", "/api/v1/procedures/", query={"agency": "STP\x00"})
    assert nul.status_code == 400 and "agency" in nul.json()["errors"]
    for path in ("/api/v1/procedures/{code}/", "/api/v1/tracking/{code}"):
        assert _answer(wsgi_app, identity, "GET", path, path_parameters={"code": "1.00\x00"}).status_code == 404
    unsupported = _answer(
        wsgi_app,
        identity,
        "POST",
        "/api/v1/dossiers/{id}/submit/",
        path_parameters={"id": api_data["draft"].pk},
        body="declaration=true",
        media_type="text/plain",
    )
    assert unsupported.status_code == 415
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "1/min"})
    assert _answer(wsgi_app, {}, "GET", "/api/v1/fields/").status_code == 200
    throttled = _answer(wsgi_app, {}, "GET", "/api/v1/fields/")
    assert throttled.status_code == 429 and throttled.headers["retry-after"] == ["60"]
