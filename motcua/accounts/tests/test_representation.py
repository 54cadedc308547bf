"""A citizen declares the organisations or businesses they act for, identified by tax code."""

import pytest
from django.test import Client
from django.urls import reverse

from motcua.accounts.models import Representation, User
from motcua.core.models import AuditEvent

pytestmark = pytest.mark.django_db

TAX_CODE = "0100233488"  # a real, valid code (check digit 8)


@pytest.fixture
def citizen(client: Client) -> User:
    user = User.objects.create_user(username="cd-test-rep", password="x")
    client.force_login(user)
    return user


def _add(client: Client, **overrides: str):
    data = {"tax_code": TAX_CODE, "organisation_name": "Công ty  TNHH Cà phê Ban Mê", "position": "Giám đốc"}
    data.update(overrides)
    return client.post(reverse("accounts:representations"), data)


def test_citizen_adds_an_organisation_by_tax_code(client: Client, citizen: User) -> None:
    """A valid tax code adds the organisation to the list, with an audit event."""
    response = _add(client, tax_code="0100233488 - 001")
    assert response.status_code == 302
    representation = Representation.objects.get(user=citizen)
    assert representation.tax_code == "0100233488-001"
    assert representation.organisation_name == "Công ty TNHH Cà phê Ban Mê"
    assert representation.position == "Giám đốc"
    event = AuditEvent.objects.get(action="accounts.representation_add")
    assert event.actor == citizen and event.object_id == str(representation.pk)
    page = client.get(reverse("accounts:representations")).content.decode()
    assert "Công ty TNHH Cà phê Ban Mê" in page and "0100233488-001" in page


@pytest.mark.parametrize(
    ("tax_code", "message"),
    [
        ("0100233489", "sai chữ số kiểm tra"),
        ("12345", "Mã số thuế gồm 10 chữ số"),
        ("", "Vui lòng nhập mã số thuế."),
    ],
)
def test_invalid_tax_code_is_explained_next_to_the_field(
    client: Client, citizen: User, tax_code: str, message: str
) -> None:
    """A wrong tax code is refused at its field with a Vietnamese explanation."""
    response = _add(client, tax_code=tax_code)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_tax_code_error"' in html
    assert message in html
    assert not Representation.objects.exists()


def test_the_same_organisation_is_declared_once(client: Client, citizen: User) -> None:
    """Declaring the same tax code twice is refused next to the field."""
    _add(client)
    response = _add(client)
    assert 'id="id_tax_code_error"' in response.content.decode()
    assert "đã khai báo đại diện" in response.content.decode()
    assert Representation.objects.count() == 1


def test_citizen_removes_only_their_own_organisations(client: Client, citizen: User) -> None:
    """Removal is a POST; another person's entry cannot be removed (not found)."""
    _add(client)
    own = Representation.objects.get(user=citizen)
    other_user = User.objects.create_user(username="cd-other-rep", password="x")
    other = Representation.objects.create(user=other_user, tax_code=TAX_CODE, organisation_name="Khác")

    assert client.get(reverse("accounts:representation_remove", args=[own.pk])).status_code == 405
    assert client.post(reverse("accounts:representation_remove", args=[other.pk])).status_code == 404
    assert Representation.objects.filter(pk=other.pk).exists()

    response = client.post(reverse("accounts:representation_remove", args=[own.pk]))
    assert response["Location"] == reverse("accounts:representations")
    assert not Representation.objects.filter(pk=own.pk).exists()
    assert AuditEvent.objects.filter(action="accounts.representation_remove", object_id=str(own.pk)).exists()


def test_representations_need_a_login() -> None:
    """Not logged in: sent to the citizen login page."""
    response = Client().get(reverse("accounts:representations"))
    assert response["Location"].startswith(reverse("accounts:login"))
