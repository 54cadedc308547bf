"""The Decision 766 index on a data set with hand-computed counts: every computed indicator's
numerator and denominator, the points (capped, proportional below the threshold, N/A for an
empty denominator), the scope rules, the ranking and the drill-down lists."""

import datetime
from decimal import Decimal

import pytest
from allauth.socialaccount.models import SocialAccount
from django.db import transaction
from django.utils import timezone

from motcua.accounts.sso import PROVIDER_ID as VNEID
from motcua.catalog.constants import FeeKind
from motcua.catalog.models import Fee
from motcua.core.periods import Period
from motcua.core.testing import citizen
from motcua.directory.constants import Role
from motcua.directory.models import Agency
from motcua.documents.models import IssuedDocument
from motcua.dossiers.constants import AttachmentSource, Channel, DossierStatus
from motcua.dossiers.models import Dossier, DossierAttachment
from motcua.dossiers.testing import officer
from motcua.events.constants import EventKind
from motcua.events.services import domain_event_record
from motcua.national import services as sync_services
from motcua.national.models import SyncItem
from motcua.payments.constants import PaymentMethod, PaymentStatus
from motcua.payments.models import Payment
from motcua.reports.aggregates import daily_counts_rebuild
from motcua.reports.constants import FeedbackCategory, FeedbackStatus
from motcua.reports.models import Feedback
from motcua.reports.statutory_counts import statutory_counts_rebuild
from motcua.service_index.constants import ScopeKind
from motcua.service_index.indicators import BY_CODE
from motcua.service_index.models import IndicatorPoints
from motcua.service_index.selectors import MEASURES, Rule, Scope, indicator_dossiers, ranking, score, scorecard

pytestmark = pytest.mark.django_db
VN = datetime.timezone(datetime.timedelta(hours=7))
NOVEMBER = Period(start=datetime.date(2026, 11, 1), end=datetime.date(2026, 11, 30))
QUERY = "tu=2026-11-01&den=2026-11-30"


def at(day: int, month: int = 11, hour: int = 8) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, 0, tzinfo=VN)


@pytest.fixture
def world(birth_version):  # type: ignore[no-untyped-def]
    """The ward (W) and the justice department (S) in November 2026:

    W d1 online, on time, digitised from the citizen's store, with a feedback; d2 counter, late,
    fee paid online; d3 online, open and overdue at the end, fee unpaid; d4 from the national
    portal, open, due in December; d5 received in October, late result in November; d6 all in
    October; d7 withdrawn. S d8 online, on time."""
    applicant = citizen()
    ward, justice = Agency.objects.get(code="UBND-24121"), Agency.objects.get(code="STP")
    Fee.objects.create(version=birth_version, kind=FeeKind.FEE, name="Lệ phí", amount=50_000)
    counter = iter(range(1, 100))

    def dossier(agency, received, due, processed=None, **extra):  # type: ignore[no-untyped-def]
        extra.setdefault("status", DossierStatus.PROCESSED if processed else DossierStatus.IN_PROGRESS)
        return Dossier.objects.create(
            code=f"000.01.50.H15-2611{next(counter):02d}",
            procedure_version=birth_version,
            agency=agency,
            applicant=applicant,
            received_at=received,
            submitted_at=received,
            due_at=due,
            processed_at=processed,
            **extra,
        )

    d = {
        "d1": dossier(ward, at(2), at(4), at(3)),
        "d2": dossier(ward, at(2), at(4), at(5), channel=Channel.COUNTER, fees_due=50_000),
        "d3": dossier(ward, at(10), at(12), fees_due=50_000),
        "d4": dossier(ward, at(20), at(5, 12), channel=Channel.NATIONAL_PORTAL),
        "d5": dossier(ward, at(20, 10), at(22, 10), at(3), channel=Channel.COUNTER),
        "d6": dossier(ward, at(1, 10), at(5, 10), at(4, 10)),
        "d7": dossier(ward, at(5), at(7), channel=Channel.COUNTER, status=DossierStatus.WITHDRAWN),
        "d8": dossier(justice, at(15), at(17), at(16)),
    }
    DossierAttachment.objects.create(
        dossier=d["d1"],
        component=birth_version.components.first(),
        file="x.pdf",
        original_name="x.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
        source=AttachmentSource.DOCUMENT_STORE,
        uploaded_by=applicant,
    )
    Payment.objects.create(
        dossier=d["d2"],
        reference="P1",
        method=PaymentMethod.GATEWAY,
        amount=50_000,
        status=PaymentStatus.PAID,
        paid_at=at(2),
    )
    Payment.objects.create(
        dossier=d["d3"], reference="P2", method=PaymentMethod.GATEWAY, amount=50_000, status=PaymentStatus.FAILED
    )
    feedback = Feedback.objects.create(
        code="PA1",
        agency=ward,
        dossier=d["d1"],
        author=applicant,
        category=FeedbackCategory.REGULATION,
        title="x",
        content="x",
        status=FeedbackStatus.ANSWERED,
        due_at=at(30),
        answered_at=at(12),
    )
    Feedback.objects.filter(pk=feedback.pk).update(created_at=at(10))
    # Made here without the services: the counts the index reads are made from the dossiers.
    daily_counts_rebuild()
    statutory_counts_rebuild()
    return {"ward": ward, "justice": justice, **d}


def _lines(card):  # type: ignore[no-untyped-def]
    return {line.indicator.code: line for group in card.groups for line in group.lines}


# code: (numerator, denominator, rate, points) for the ward, by hand from the fixture's story.
WARD = {
    "1.3": (0, 1, Decimal("0.00"), Decimal("0.00")),  # the demo birth record lists no methods
    "1.4": (1, 5, Decimal("20.00"), Decimal("0.93")),  # d4 came from the portal; nothing sent
    "2.1": (2, 5, Decimal("40.00"), Decimal("8.00")),  # d1, d4 of d1–d5
    "3.1": (1, 1, Decimal("100.00"), Decimal("4.00")),
    "3.1a": (0, 0, None, None),
    "3.3": (3, 5, Decimal("60.00"), Decimal("4.00")),  # d1, d3, d4 of d1–d4, d7; ≥ 50 % is full
    "3.5": (1, 1, Decimal("100.00"), Decimal("5.00")),
    "3.6": (1, 2, Decimal("50.00"), Decimal("2.50")),  # d2 of d2, d3
    "4.1": (0, 0, None, None),  # no procedure asks for a paper result
    "4.2": (1, 5, Decimal("20.00"), Decimal("1.10")),  # 4.4 × 20 / 80
    "4.3": (1, 5, Decimal("20.00"), Decimal("1.10")),
    "4.5": (0, 5, Decimal("0.00"), Decimal("0.00")),
    "5.1": (1, 1, Decimal("100.00"), Decimal("0.00")),
    "5.2": (1, 1, Decimal("100.00"), Decimal("6.00")),
    "5.4": (1, 5, Decimal("20.00"), Decimal("1.33")),  # 5 − 3 late − 1 with feedback; 6 × 20 / 90
}


def test_each_indicator_counts_what_the_formula_says(world) -> None:  # type: ignore[no-untyped-def]
    card = scorecard(scope=Scope(ScopeKind.AGENCY, agency=world["ward"]), period=NOVEMBER)
    lines = _lines(card)
    got = {
        code: (line.tally.numerator, line.tally.denominator, line.tally.rate, line.points)
        for code, line in lines.items()
    }
    assert got == WARD
    assert card.total == sum(points for *_, points in WARD.values() if points is not None)
    assert {indicator.code for indicator in card.outside} == {"1.1", "1.2", "2.2", "3.2", "4.4", "5.3"}


def test_province_adds_the_agencies_and_catalogue_figures_stay_whole(world) -> None:  # type: ignore[no-untyped-def]
    lines = _lines(scorecard(scope=Scope(ScopeKind.PROVINCE), period=NOVEMBER))
    assert (lines["2.1"].tally.numerator, lines["2.1"].tally.denominator) == (3, 6)
    assert (lines["3.1"].tally.numerator, lines["3.1"].tally.denominator) == (1, 1)
    assert (lines["3.5"].tally.numerator, lines["3.5"].tally.denominator) == (1, 1)  # distinct procedures


def test_points_are_capped_proportional_and_configurable(world) -> None:  # type: ignore[no-untyped-def]
    assert score(Decimal(95), Rule(Decimal(6), Decimal(90))) == Decimal("6.00")
    assert score(Decimal(45), Rule(Decimal(6), Decimal(90))) == Decimal("3.00")
    assert score(None, Rule(Decimal(6), Decimal(90))) is None
    IndicatorPoints.objects.filter(code="2.1").update(points=10)
    lines = _lines(scorecard(scope=Scope(ScopeKind.AGENCY, agency=world["ward"]), period=NOVEMBER))
    assert lines["2.1"].points == Decimal("4.00")
    # A group never gives more than its maximum, whatever the configuration says.
    IndicatorPoints.objects.filter(code="2.1").update(points=50)
    card = scorecard(scope=Scope(ScopeKind.AGENCY, agency=world["justice"]), period=NOVEMBER)
    assert next(group for group in card.groups if group.group == "TDGQ").points == Decimal(20)


def test_seeded_points_fill_each_group_to_its_maximum(db) -> None:  # type: ignore[no-untyped-def]
    from motcua.service_index.constants import GROUP_MAXIMA

    for group, maximum in GROUP_MAXIMA.items():
        codes = [i.code for i in BY_CODE.values() if i.group == group]
        assert sum(IndicatorPoints.objects.filter(code__in=codes).values_list("points", flat=True)) == maximum
    assert IndicatorPoints.objects.get(code="2.1").points == 20


def test_an_empty_period_is_all_n_a(world) -> None:  # type: ignore[no-untyped-def]
    empty = Period(start=datetime.date(2025, 1, 1), end=datetime.date(2025, 1, 31))
    lines = _lines(scorecard(scope=Scope(ScopeKind.AGENCY, agency=world["ward"]), period=empty))
    assert lines["2.1"].tally.rate is None and lines["2.1"].points is None
    assert lines["5.4"].tally.rate is None


def test_ranking_orders_agencies_and_communes_by_score(world) -> None:  # type: ignore[no-untyped-def]
    rows = ranking(period=NOVEMBER, by=ScopeKind.AGENCY)
    # S: 2.1 20 + 3.3 4 + 5.4 6 + 3.1 4 (catalogue) = 34; W 33.96; the centre only the catalogue's 4.
    assert [(row.name, row.card.total) for row in rows] == [
        ("Sở Tư pháp", Decimal("34.00")),
        ("UBND phường Tân Lập", Decimal("33.96")),
        ("Trung tâm Phục vụ hành chính công", Decimal("4.00")),
    ]
    (commune,) = ranking(period=NOVEMBER, by=ScopeKind.COMMUNE)
    assert (commune.name, commune.card.total) == ("Phường Tân Lập", Decimal("33.96"))


def test_the_index_costs_one_query_per_row_set_not_per_indicator(world, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    for number in range(5):
        Agency.objects.create(code=f"X{number}", electronic_id=f"X{number}", name=f"X{number}", unit=world["ward"].unit)
    row_sets = {measure.rows for measure in MEASURES.values()}
    assert len(row_sets) == 4 < len(MEASURES)  # received, handled, catalogue, feedback
    # + the points rules; the received set counts its dossiers and its procedures (3.5) apart, the
    # handled set reads the statutory figures and the complained dossiers (+ the agencies ranked
    # and their communes).
    with django_assert_max_num_queries(len(row_sets) + 3):
        scorecard(scope=Scope(ScopeKind.COMMUNE, unit=world["ward"].unit), period=NOVEMBER)
    for by in (ScopeKind.AGENCY, ScopeKind.COMMUNE):
        with django_assert_max_num_queries(len(row_sets) + 5):
            ranking(period=NOVEMBER, by=by)


@pytest.mark.parametrize("code", [code for code, i in BY_CODE.items() if i.measure and i.measure.lists_dossiers])
def test_drill_down_lists_as_many_dossiers_as_counted(world, code) -> None:  # type: ignore[no-untyped-def]
    for scope in (Scope(ScopeKind.AGENCY, agency=world["ward"]), Scope(ScopeKind.PROVINCE)):
        line = _lines(scorecard(scope=scope, period=NOVEMBER))[code]
        assert indicator_dossiers(line.indicator, NOVEMBER, scope=scope, part="mau").count() == line.tally.denominator
        if line.indicator.measure.numerator is not None:
            counted = indicator_dossiers(line.indicator, NOVEMBER, scope=scope, part="tu")
            assert counted.count() == line.tally.numerator


def test_on_time_numerator_is_the_dossiers_by_code(world) -> None:  # type: ignore[no-untyped-def]
    scope = Scope(ScopeKind.AGENCY, agency=world["ward"])
    codes = set(indicator_dossiers(BY_CODE["2.1"], NOVEMBER, scope=scope, part="tu").values_list("pk", flat=True))
    assert codes == {world["d1"].pk, world["d4"].pk}


def test_page_shows_formula_numbers_and_ranking_to_the_province(client, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(officer("gs", agency=None, role=Role.SUPERVISOR))
    page = client.get(f"/can-bo/chi-so-766/?{QUERY}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Toàn tỉnh" in html and "N/A" in html and "Chỉ tiêu cần dữ liệu từ nơi khác" in html
    assert 'data-testid="ranking-agencies"' in html and 'data-testid="ranking-communes"' in html
    assert str(BY_CODE["2.1"].formula)[:40] in html
    # 2.1's points are published, 2.2's informational, 4.2's our configuration.
    assert 'data-testid="configured"' not in _row(html, "2.1") and 'data-testid="configured"' in _row(html, "4.2")
    # Both counts of 2.1 link to their lists; 5.4's numerator (a difference) does not.
    numerator_link = f'href="/can-bo/chi-so-766/2.1/ho-so/?pham_vi=tinh&amp;{QUERY.replace("&", "&amp;")}&amp;phan=tu"'
    assert numerator_link in _row(html, "2.1") and "phan=tu" not in _row(html, "5.4")
    drill = client.get(f"/can-bo/chi-so-766/2.1/ho-so/?pham_vi=tinh&{QUERY}&phan=tu")
    assert drill.status_code == 200 and "3 hồ sơ" in drill.content.decode()
    assert world["d8"].code in drill.content.decode()


def _row(html: str, code: str) -> str:
    start = html.index(f'data-testid="indicator-{code}"')
    return html[start : html.index("</tr>", start)]


def test_a_reversed_period_is_refused_in_vietnamese(client, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(officer("gs", agency=None, role=Role.SUPERVISOR))
    page = client.get("/can-bo/chi-so-766/?tu=2026-11-30&den=2026-11-01")
    assert page.status_code == 400
    assert "ngày bắt đầu (30/11/2026) sau ngày kết thúc (01/11/2026)" in page.content.decode()


def test_a_leader_sees_their_agency_only(client, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(officer("ld", role=Role.LEADER))
    own = client.get(f"/can-bo/chi-so-766/?{QUERY}")
    assert own.status_code == 200 and "UBND phường Tân Lập" in own.content.decode()
    assert 'data-testid="ranking-agencies"' not in own.content.decode()
    ward, justice = world["ward"].pk, world["justice"].pk
    assert client.get(f"/can-bo/chi-so-766/?pham_vi=co-quan&co_quan={ward}&{QUERY}").status_code == 200
    assert client.get(f"/can-bo/chi-so-766/?pham_vi=xa&xa={world['ward'].unit_id}&{QUERY}").status_code == 200
    for refused in (f"pham_vi=co-quan&co_quan={justice}", "pham_vi=tinh"):
        assert client.get(f"/can-bo/chi-so-766/?{refused}&{QUERY}").status_code == 403
        assert client.get(f"/can-bo/chi-so-766/2.1/ho-so/?{refused}&{QUERY}").status_code == 403
    client.force_login(officer("tn", role=Role.RECEPTION))
    assert client.get(f"/can-bo/chi-so-766/?{QUERY}").status_code == 403


def test_outside_data_and_unknown_indicators_have_no_list(client, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(officer("gs", agency=None, role=Role.SUPERVISOR))
    assert client.get(f"/can-bo/chi-so-766/1.1/ho-so/?{QUERY}").status_code == 404
    assert client.get(f"/can-bo/chi-so-766/5.2/ho-so/?{QUERY}").status_code == 404  # feedback, not dossiers
    assert client.get(f"/can-bo/chi-so-766/9.9/ho-so/?{QUERY}").status_code == 404


def test_the_current_month_is_the_default(client, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(officer("gs", agency=None, role=Role.SUPERVISOR))
    today = timezone.localdate()
    html = client.get("/can-bo/chi-so-766/").content.decode()
    assert today.replace(day=1).strftime("%d/%m/%Y") in html and today.strftime("%d/%m/%Y") in html


def _tally(code: str, scope: Scope) -> tuple[int, int]:
    line = _lines(scorecard(scope=scope, period=NOVEMBER))[code]
    listed = indicator_dossiers(line.indicator, NOVEMBER, scope=scope, part="tu").count()
    assert listed == line.tally.numerator  # the kept count still equals its list
    return line.tally.numerator, line.tally.denominator


def test_a_record_sent_to_the_portal_counts_as_synced_at_once(world) -> None:  # type: ignore[no-untyped-def]
    ward = Scope(ScopeKind.AGENCY, agency=world["ward"])
    assert _tally("1.4", ward) == (1, 5)
    with transaction.atomic():  # the national sync queues the dossier's event for the portal
        domain_event_record(dossier=world["d1"], kind=EventKind.FEES_DUE, payload={"amount": 50_000})
    item = SyncItem.objects.get(dossier=world["d1"])
    assert _tally("1.4", ward) == (1, 5)  # queued is not synced
    claimed = sync_services._claim(item.pk)
    assert claimed is not None
    sync_services.sync_item_mark_sent(claimed)
    assert _tally("1.4", ward) == (2, 5)


def test_linking_a_vneid_account_counts_the_applicants_dossiers(world) -> None:  # type: ignore[no-untyped-def]
    ward = Scope(ScopeKind.AGENCY, agency=world["ward"])
    assert _tally("4.5", ward) == (0, 5)
    account = SocialAccount.objects.create(user=world["d1"].applicant, provider=VNEID, uid="vneid-1")
    assert _tally("4.5", ward) == (5, 5)  # one applicant filed them all
    account.delete()
    assert _tally("4.5", ward) == (0, 5)


def test_a_signed_result_not_yet_issued_is_no_electronic_result(world, birth_version) -> None:  # type: ignore[no-untyped-def]
    """Indicators 3.3, 4.1 and 4.2 count an electronic result only once it is issued."""
    type(birth_version).objects.filter(pk=birth_version.pk).update(paper_result_required=True)
    document = IssuedDocument.objects.create(
        title="Trích lục khai sinh",
        issuer_agency=world["ward"],
        signed_by_name="Lãnh đạo",
        signed_at=at(3),
        file="issued/x.pdf",
        sha256="0" * 64,
        size=1,
        dossier=world["d1"],
    )
    Dossier.objects.filter(pk=world["d1"].pk).update(result_document=document)
    daily_counts_rebuild()
    ward = Scope(ScopeKind.AGENCY, agency=world["ward"])
    signed = {code: _tally(code, ward) for code in ("3.3", "4.1", "4.2")}
    assert signed == {"3.3": (0, 5), "4.1": (0, 2), "4.2": (0, 5)}  # d1, d2 have results
    IssuedDocument.objects.filter(pk=document.pk).update(number="1/TLKS", issued_at=at(3, hour=9))
    daily_counts_rebuild()
    issued = {code: _tally(code, ward) for code in ("3.3", "4.1", "4.2")}
    assert issued == {"3.3": (1, 5), "4.1": (1, 2), "4.2": (1, 5)}  # d1: online, attached, issued


def test_malformed_scopes_are_400_absent_ones_404_others_403(client, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(officer("ld", role=Role.LEADER))
    justice = world["justice"].pk
    for query, status, words in (
        ("pham_vi=co-quan", 400, "Hãy chọn cơ quan."),
        ("pham_vi=co-quan&co_quan=abc", 400, "Cơ quan không hợp lệ: “abc”."),
        ("pham_vi=khac", 400, "Phạm vi không hợp lệ: “khac”."),
        ("pham_vi=xa&xa=", 400, "Hãy chọn xã, phường."),
        ("pham_vi=co-quan&co_quan=987654", 404, ""),
        (f"pham_vi=co-quan&co_quan={justice}", 403, ""),
    ):
        for page in ("/can-bo/chi-so-766/", "/can-bo/chi-so-766/2.1/ho-so/"):
            response = client.get(f"{page}?{query}&{QUERY}")
            assert response.status_code == status, (page, query)
            assert words in response.content.decode()
    for part in ("khac", ""):
        unknown = client.get(f"/can-bo/chi-so-766/2.1/ho-so/?{QUERY}&phan={part}")
        assert unknown.status_code == 400 and "Phần của chỉ số không hợp lệ" in unknown.content.decode()
    client.force_login(officer("tn", role=Role.RECEPTION))
    assert client.get(f"/can-bo/chi-so-766/2.1/ho-so/?pham_vi=khac&{QUERY}").status_code == 403


def test_a_future_period_is_refused_and_one_ending_after_today_is_cut(client, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(officer("gs", agency=None, role=Role.SUPERVISOR))
    today = timezone.localdate()
    tomorrow, later = today + datetime.timedelta(days=1), today + datetime.timedelta(days=40)
    for page in ("/can-bo/chi-so-766/", "/can-bo/chi-so-766/2.1/ho-so/"):
        future = client.get(f"{page}?tu={tomorrow}&den={later}")
        assert future.status_code == 400 and "Kỳ báo cáo bắt đầu sau hôm nay" in future.content.decode()
        cut = client.get(f"{page}?tu={today.replace(day=1)}&den={later}")
        assert cut.status_code == 200 and cut.context["end"] == today
    cut = client.get(f"/can-bo/chi-so-766/?tu={today.replace(day=1)}&den={later}").content.decode()
    assert 'data-testid="period-clamped"' in cut and f"không đến ngày {later:%d/%m/%Y} đã chọn" in cut
