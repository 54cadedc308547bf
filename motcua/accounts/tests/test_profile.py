"""The citizen profile: name, birth date, validated ID number, e-mail, address from today's
administrative units; changing the phone number needs a new SMS code."""

import datetime
import logging
from collections.abc import Iterator

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from motcua.accounts.models import CitizenProfile, ExternalIdentity, User
from motcua.core.models import AuditEvent
from motcua.directory.constants import UnitKind
from motcua.directory.models import AdministrativeUnit

pytestmark = pytest.mark.django_db

PHONE = "0905111222"
NEW_PHONE = "0364333444"
ID_NUMBER = "066190012345"  # Đắk Lắk (066), woman born in the 20th century (1), 1990
REFORM = datetime.date(2025, 7, 1)


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    cache.clear()
    with time_machine.travel(datetime.datetime(2025, 9, 1, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def units() -> dict[str, AdministrativeUnit]:
    """The province, a district and commune of the old three-tier tree, and two current units."""
    end = REFORM - datetime.timedelta(days=1)
    province = AdministrativeUnit.objects.create(code="66", name="Tỉnh Đắk Lắk", kind=UnitKind.PROVINCE)
    district = AdministrativeUnit.objects.create(
        code="643", name="Thành phố Buôn Ma Thuột", kind=UnitKind.DISTRICT, parent=province, valid_to=end
    )
    return {
        "province": province,
        "district": district,
        "old_commune": AdministrativeUnit.objects.create(
            code="24133", name="Xã Hòa Thắng", kind=UnitKind.COMMUNE, parent=district, valid_to=end
        ),
        "ward": AdministrativeUnit.objects.create(
            code="24121", name="Phường Tân Lập", kind=UnitKind.WARD, parent=province, valid_from=REFORM
        ),
        "commune": AdministrativeUnit.objects.create(
            code="24250", name="Xã Ea Kao", kind=UnitKind.COMMUNE, parent=province, valid_from=REFORM
        ),
    }


@pytest.fixture
def citizen(client: Client) -> User:
    user = User.objects.create_user(username="cd-test-profile", password="x", first_name="Hoa", last_name="Lê Thị")
    CitizenProfile.objects.create(user=user, full_name="Lê Thị Hoa", phone=PHONE, phone_verified_at=timezone.now())
    client.force_login(user)
    return user


def _form(units: dict[str, AdministrativeUnit], **overrides: str) -> dict[str, str]:
    data = {
        "full_name": "Lê  Thị Hoa",
        "birth_date": "15/08/1990",
        "id_number": "066 190 012 345",
        "email": "hoa@example.vn",
        "address_unit": str(units["ward"].pk),
        "address_detail": "12 Lê Duẩn, tổ 3",
    }
    data.update(overrides)
    return data


def test_profile_needs_a_citizen_login() -> None:
    """Someone not logged in is sent to the citizen login page and comes back afterwards."""
    response = Client().get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={reverse('accounts:profile')}"


def test_citizen_saves_their_profile(client: Client, citizen: User, units) -> None:
    """The profile is saved cleaned up (ID number without spaces), with an audit event that names
    the changed fields but holds none of their values."""
    response = client.post(reverse("accounts:profile"), _form(units))
    assert response.status_code == 302
    profile = CitizenProfile.objects.get(user=citizen)
    assert profile.full_name == "Lê Thị Hoa"
    assert profile.birth_date == datetime.date(1990, 8, 15)
    assert profile.id_number == ID_NUMBER
    assert profile.email == "hoa@example.vn"
    assert profile.address_unit == units["ward"]
    assert profile.address_detail == "12 Lê Duẩn, tổ 3"
    event = AuditEvent.objects.get(action="accounts.citizen_profile_update")
    assert event.actor == citizen
    assert set(event.summary["changed"]) >= {"birth_date", "id_number", "email", "address_unit", "address_detail"}
    assert ID_NUMBER not in str(event.summary) and "hoa@example.vn" not in str(event.summary)

    page = client.get(reverse("accounts:profile")).content.decode()
    assert 'value="15/08/1990"' in page
    assert f'value="{ID_NUMBER}"' in page


def test_address_offers_only_todays_communes_and_wards(client: Client, citizen: User, units) -> None:
    """The address list holds the communes and wards in force today, not the pre-2025 ones,
    districts or the province; an old unit posted anyway is refused."""
    html = client.get(reverse("accounts:profile")).content.decode()
    assert "Phường Tân Lập" in html and "Xã Ea Kao" in html
    assert "Xã Hòa Thắng" not in html
    assert "Thành phố Buôn Ma Thuột" not in html
    assert f'<option value="{units["province"].pk}"' not in html

    response = client.post(reverse("accounts:profile"), _form(units, address_unit=str(units["old_commune"].pk)))
    assert response.status_code == 200
    assert "Vui lòng chọn một xã, phường trong danh sách." in response.content.decode()


@pytest.mark.parametrize(
    ("id_number", "birth_date", "message"),
    [
        ("12345", "15/08/1990", "phải gồm đúng 12 chữ số"),
        ("999190012345", "15/08/1990", "Mã tỉnh nơi đăng ký khai sinh"),
        ("066190012345", "15/08/1985", "không khớp với ngày sinh"),
        ("06619001234a", "", "chỉ gồm chữ số"),
    ],
)
def test_invalid_id_number_is_explained_next_to_the_field(
    client: Client, citizen: User, units, id_number: str, birth_date: str, message: str
) -> None:
    """A malformed ID number, or one that contradicts the birth date, is refused at the field."""
    response = client.post(reverse("accounts:profile"), _form(units, id_number=id_number, birth_date=birth_date))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_id_number_error"' in html
    assert message in html
    assert CitizenProfile.objects.get(user=citizen).id_number is None


def test_bad_birth_date_and_email_are_explained(client: Client, citizen: User, units) -> None:
    """Dates are day/month/year; a wrong one and a wrong e-mail each get their own message."""
    response = client.post(reverse("accounts:profile"), _form(units, birth_date="1990-15-08", email="hoa@"))
    html = response.content.decode()
    assert 'id="id_birth_date_error"' in html and "ngày/tháng/năm" in html
    assert 'id="id_email_error"' in html and "Địa chỉ thư điện tử không hợp lệ" in html


def test_an_id_number_belongs_to_one_account(client: Client, citizen: User, units) -> None:
    """An ID number already on another profile is refused next to the field."""
    other = User.objects.create_user(username="cd-other", password="x")
    CitizenProfile.objects.create(user=other, full_name="Người khác", id_number=ID_NUMBER)
    response = client.post(reverse("accounts:profile"), _form(units))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_id_number_error"' in html
    assert "đã gắn với một tài khoản khác" in html


def test_id_number_from_vneid_cannot_be_changed(client: Client, citizen: User, units) -> None:
    """Once VNeID vouched for the ID number, the field is read-only and a posted change is ignored."""
    CitizenProfile.objects.filter(user=citizen).update(id_number=ID_NUMBER, birth_date=datetime.date(1990, 8, 15))
    ExternalIdentity.objects.create(user=citizen, issuer="https://sso.example", subject="abc")
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "Đã xác thực qua VNeID" in page
    client.post(reverse("accounts:profile"), _form(units, id_number="066190099999"))
    assert CitizenProfile.objects.get(user=citizen).id_number == ID_NUMBER


def test_changing_the_phone_needs_a_code_sent_to_the_new_number(
    client: Client, citizen: User, sms_simulator, django_capture_on_commit_callbacks, caplog
) -> None:
    """The new number is saved only after the code texted to it is entered."""
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:phone_change"), {"phone": "036 433 3444"})
    assert response["Location"] == reverse("accounts:phone_change_verify")
    assert CitizenProfile.objects.get(user=citizen).phone == PHONE
    code = sms_simulator.last_code_for(NEW_PHONE)
    assert code is not None
    assert not sms_simulator.messages_to(PHONE)

    wrong = client.post(reverse("accounts:phone_change_verify"), {"code": f"{(int(code) + 1) % 1_000_000:06d}"})
    assert 'id="id_code_error"' in wrong.content.decode()
    assert CitizenProfile.objects.get(user=citizen).phone == PHONE

    done = client.post(reverse("accounts:phone_change_verify"), {"code": code})
    assert done["Location"] == reverse("accounts:profile")
    profile = CitizenProfile.objects.get(user=citizen)
    assert profile.phone == NEW_PHONE
    assert profile.phone_verified_at is not None
    assert AuditEvent.objects.filter(action="accounts.citizen_phone_change", actor=citizen).exists()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert NEW_PHONE not in logged and PHONE not in logged


def test_a_phone_of_another_account_is_refused(client: Client, citizen: User, sms_simulator) -> None:
    """Another account's number is refused next to the field, and no code is sent to it."""
    other = User.objects.create_user(username="cd-other-phone", password="x")
    CitizenProfile.objects.create(user=other, full_name="Người khác", phone=NEW_PHONE)
    response = client.post(reverse("accounts:phone_change"), {"phone": NEW_PHONE})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_phone_error"' in html and "đã gắn với một tài khoản khác" in html
    assert not sms_simulator.messages
