"""Who may do what: the authorisation matrix, one declaration per endpoint.

test_authz_matrix.py walks the URL resolver (and checks the OpenAPI schema against it) and, for
every pattern, has each identity below GET it and send every other method declared here (an
empty or minimal body) in a fixture world built once: one ward dossier (the owner's), received
by the ward ("own" agency), on which the Department of Justice was asked for an opinion
("consulted"), and a third department with no part in it ("foreign"). Where a pattern involves
no dossier, one officer per role stands for the three agencies.

Outcomes are classes, not exact codes: *allowed* means the request reached the view (2xx, a
redirect other than to a login page, or a 4xx form error); *denied* means 401/403/404/405 or a
redirect to a login page. A 5xx fails every cell, and a denied write must change nothing.

A new URL pattern or API operation without an entry fails the build. To add one, write one line
in ENTRIES:

    Entry("backoffice:new_page", get=STAFF, post=DOSSIER_READERS),

`get`/`post`/`patch`/`delete` name who is allowed (every other identity must be denied); a method
left out is not served (a GET is still tried and must be denied). `params` maps a path keyword to
a key of the fixture world when the default in PATH_VALUES is not the right object; `data` is the
minimal body sent. ACTIONS are posts with a real body checked by their effect (the step rules of
docs/back-office.md): the identities in `may` change the world, everyone else changes nothing.
The admin (/quan-tri/) is one group with its own rule, admin_expectation().
"""

from dataclasses import dataclass, field
from typing import Any

# Identities (see test_authz_matrix.world for who they are).
ANONYMOUS = "anonymous"
OWNER = "owner"  # the citizen whose dossier it is
CITIZEN = "citizen"  # another citizen
AGENCY_ROLES = ("reception", "specialist", "leader", "clerk", "agency_admin")
RELATIONS = ("own", "consulted", "foreign")  # the officer's agency in respect of the dossier
POSTAL = "postal"  # post office staff: no agency, sees only what they submitted
PROVINCE_WIDE = frozenset({"supervisor", "system_admin"})


def at(relation: str, *roles: str) -> frozenset[str]:
    """`role@relation` identities, e.g. at("own", "reception") == {"reception@own"}."""
    return frozenset(f"{role}@{relation}" for role in roles or AGENCY_ROLES)


AGENCY_STAFF = frozenset().union(*(at(relation) for relation in RELATIONS))
# Where no dossier is involved the officer's relation to it means nothing: one officer per role.
REPRESENTATIVES = (ANONYMOUS, OWNER, CITIZEN, *sorted(at("own")), POSTAL, *sorted(PROVINCE_WIDE))
STAFF = AGENCY_STAFF | PROVINCE_WIDE | {POSTAL}
CITIZENS = frozenset({OWNER, CITIZEN})
IDENTITIES = tuple(sorted({ANONYMOUS} | CITIZENS | STAFF))

# Rules: the identities allowed.
EVERYONE = frozenset(IDENTITIES)
LOGGED_IN = EVERYONE - {ANONYMOUS}
NOBODY: frozenset[str] = frozenset()
OWNER_ONLY = frozenset({OWNER})
# Officers of an agency with a part in the dossier (received it, or holds one of its steps,
# including a consultation) and the province-wide roles; never a foreign agency or the post office.
DOSSIER_READERS = at("own") | at("consulted") | PROVINCE_WIDE
OWN_AGENCY = at("own")
# The agency's money: its one-stop officers (and finance staff, not an identity here), and the
# province-wide roles.
FEE_KEEPERS = at("own", "reception") | PROVINCE_WIDE
# Not an authorisation question (logging out answers everyone alike): only "no 5xx" is checked.
ANY = None
# The pattern does not serve the method (a GET to it must still be denied, e.g. 405).
UNSERVED = frozenset({"<unserved>"})
Rule = frozenset[str] | None


@dataclass(frozen=True)
class Entry:
    name: str  # the URL pattern's name, "namespace:name"
    get: Rule = UNSERVED
    post: Rule = UNSERVED
    patch: Rule = UNSERVED
    delete: Rule = UNSERVED
    params: dict[str, str] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    # Statuses that are the page's own answer, not an error or a refusal (a health check's 503).
    answers: tuple[int, ...] = ()

    def methods(self) -> dict[str, Rule]:
        """Who is allowed, by method; GET is always tried (nobody may GET an unserved pattern)."""
        declared = {"post": self.post, "patch": self.patch, "delete": self.delete}
        served = {method: rule for method, rule in declared.items() if rule is not UNSERVED}
        return {"get": NOBODY if self.get is UNSERVED else self.get, **served}


def writes(name: str, rule: Rule, **extra: Any) -> Entry:
    """A pattern that only takes POST (GET answers 405)."""
    return Entry(name, post=rule, **extra)


# Path converter keywords → keys of the fixture world; an entry's `params` overrides them.
PATH_VALUES = {
    "pk": "dossier",
    "slip_id": "slip",
    "attachment_id": "attachment",
    "step_id": "main_step",
    "file_id": "step_file",
    "code": "procedure_code",
    "page_id": "page_id",
    "provider_id": "provider_id",
    "device_id": "colleague_device",
}
DRAFT = {"pk": "draft", "attachment_id": "draft_attachment"}
# World keys that are (parts of) a dossier: the cells using one ask every identity.
DOSSIER_KEYS = {
    "dossier",
    "draft",
    "submitted",
    "main_step",
    "approve_step",
    "consultation_step",
    "slip",
    "attachment",
    "draft_attachment",
    "step_file",
    "feedback",
    "receipt_token",
}

ENTRIES = [
    # Public pages.
    Entry("portal:home", get=EVERYONE),
    Entry("portal:procedure_list", get=EVERYONE),
    Entry("portal:procedure_detail", get=EVERYONE),
    Entry("portal:procedure_group", get=EVERYONE, params={"code": "group_code"}),
    Entry("reports:board", get=EVERYONE),
    Entry("reports:late_list", get=EVERYONE),
    Entry("tracking", get=EVERYONE),
    Entry("tracking_code", get=EVERYONE, post=EVERYONE, params={"code": "dossier_code"}),
    Entry("verify:document", get=EVERYONE, post=EVERYONE, params={"code": "verification_code"}),
    # A receipt's QR code: anyone sees whether it stands; its PDF is the applicant's and the
    # receiving agency's (the world's receipt is for the dossier still waiting at the ward).
    Entry("receipts:verify", get=EVERYONE, params={"token": "receipt_token"}),
    Entry("receipts:download", get=OWNER_ONLY | OWN_AGENCY | PROVINCE_WIDE, params={"token": "receipt_token"}),
    Entry("healthz", get=EVERYONE, answers=(503,)),
    Entry("trivial", get=EVERYONE),
    Entry("api-schema", get=EVERYONE),
    Entry("api-docs", get=EVERYONE),
    # Logging in and out, signing up.
    Entry("backoffice:login", get=EVERYONE, post=EVERYONE),
    writes("backoffice:logout", ANY),
    Entry("accounts:login", get=EVERYONE, post=EVERYONE),
    writes("accounts:logout", ANY),
    Entry("accounts:signup", get=EVERYONE, post=EVERYONE),
    # Without a sign-up in progress this page sends everyone to the login page.
    Entry("accounts:signup_verify", get=ANY, post=ANY),
    # No OpenID provider is configured in the fixture world: unknown providers are 404 for all.
    Entry("openid_connect_login", get=NOBODY, post=NOBODY),
    Entry("openid_connect_callback", get=NOBODY),
    # Providers' webhooks take only signed posts; nobody here holds the secret.
    writes("webhook_sms_delivery", NOBODY),
    writes("webhook_sms_inbound", NOBODY),
    writes("webhook_zalo_delivery", NOBODY),
    writes("webhook_zalo_inbound", NOBODY),
    # The postal carrier's tracking webhook (docs/delivery.md): signed posts only.
    writes("carrier:webhook", NOBODY),
    # Online payment (docs/payments.md): the owner pays their dossier; the return page shows
    # a logged-in person what a signed return says (unsigned: 400); gateways' notifications
    # are answered to anyone with the gateway's refusal code unless signed.
    writes("payments:online_pay", OWNER_ONLY),
    # A gateway's pages answer whoever holds their signed address (a bank page, no session).
    Entry("payments:demo_checkout", get=EVERYONE, post=EVERYONE, params={"token": "demo_checkout_token"}),
    *(Entry(f"payments:online_return_{key}", get=EVERYONE) for key in ("demo", "vnpay", "national")),
    *(Entry(f"payments:online_ipn_{key}", get=EVERYONE, post=EVERYONE) for key in ("demo", "vnpay", "national")),
    # A logged-in person's own things (lists are filtered to what is theirs).
    Entry("accounts:profile", get=LOGGED_IN, post=LOGGED_IN),
    Entry("accounts:notification_preferences", get=LOGGED_IN, post=LOGGED_IN),
    Entry("accounts:phone_change", get=LOGGED_IN, post=LOGGED_IN),
    Entry("accounts:phone_change_verify", get=LOGGED_IN, post=LOGGED_IN),
    Entry("accounts:representations", get=LOGGED_IN, post=LOGGED_IN),
    writes("accounts:representation_remove", OWNER_ONLY, params={"pk": "representation"}),
    Entry("demo_sms_inbox", get=LOGGED_IN),
    Entry("documents:store", get=LOGGED_IN),
    Entry("documents:download", get=OWNER_ONLY, params={"pk": "stored_document"}),
    Entry("reports:feedback_list", get=LOGGED_IN),
    Entry("reports:feedback_new", get=LOGGED_IN, post=LOGGED_IN),
    Entry("reports:rate", get=OWNER_ONLY, post=OWNER_ONLY),
    # The citizen's dossier pages: the owner only (a draft for the pages that fill it in).
    Entry("dossiers:my_list", get=LOGGED_IN),
    Entry("dossiers:start", get=LOGGED_IN, post=LOGGED_IN),
    Entry("dossiers:group_start", get=LOGGED_IN, post=LOGGED_IN, params={"code": "group_code"}),
    Entry("dossiers:detail", get=OWNER_ONLY),
    Entry("dossiers:resume", get=OWNER_ONLY, params=DRAFT),
    Entry("dossiers:form_page", get=OWNER_ONLY, post=OWNER_ONLY, params=DRAFT),
    Entry("dossiers:papers", get=OWNER_ONLY, post=OWNER_ONLY, params=DRAFT),
    Entry("dossiers:delivery", get=OWNER_ONLY, post=OWNER_ONLY, params=DRAFT),
    Entry("dossiers:review", get=OWNER_ONLY, post=OWNER_ONLY, params=DRAFT),
    writes("dossiers:fee_estimate", OWNER_ONLY, params=DRAFT),
    Entry("dossiers:confirm", get=OWNER_ONLY, post=OWNER_ONLY, params=DRAFT),
    Entry("dossiers:done", get=OWNER_ONLY),
    Entry("dossiers:acknowledgement", get=OWNER_ONLY),
    writes("dossiers:withdraw", OWNER_ONLY),
    writes("dossiers:withdrawal_request", OWNER_ONLY),
    writes("dossiers:supplement_send", OWNER_ONLY),
    Entry("dossiers:slip", get=OWNER_ONLY),
    Entry("dossiers:attachment", get=OWNER_ONLY),
    # The back office: staff only; a dossier's pages for the agencies with a part in it.
    # The second factor: each officer manages their own devices (a colleague's answers 404).
    Entry("backoffice:second_factor", get=STAFF, post=STAFF),
    Entry("backoffice:security", get=STAFF),
    Entry("backoffice:security_totp", get=STAFF, post=STAFF),
    writes("backoffice:security_backup_codes", STAFF),
    Entry("backoffice:security_remove", get=NOBODY, post=NOBODY),
    writes("otp_webauthn:credential-registration-begin", STAFF),
    writes("otp_webauthn:credential-registration-complete", STAFF),
    writes("otp_webauthn:credential-authentication-begin", STAFF),
    writes("otp_webauthn:credential-authentication-complete", STAFF),
    Entry("otp_webauthn:js-i18n-catalog", get=STAFF),
    Entry("backoffice:home", get=STAFF),
    Entry("backoffice:reception_queue", get=STAFF),
    Entry("backoffice:dossier_search", get=STAFF),
    Entry("backoffice:work_queue", get=STAFF),
    Entry("backoffice:register", get=STAFF),
    Entry("backoffice:assisted_start", get=STAFF, post=STAFF),
    Entry("backoffice:dossier_detail", get=DOSSIER_READERS, post=DOSSIER_READERS),
    # Business look-up by tax code: the receiving agency's reception officers only.
    Entry("exchange:business_lookup", get=at("own", "reception"), post=at("own", "reception")),
    writes("backoffice:step_action", DOSSIER_READERS),
    writes("backoffice:dossier_stop", DOSSIER_READERS),
    writes("backoffice:withdrawal_decide", DOSSIER_READERS),
    Entry("backoffice:slip_download", get=DOSSIER_READERS),
    Entry("backoffice:attachment_download", get=DOSSIER_READERS),
    Entry("backoffice:step_file", get=DOSSIER_READERS),
    Entry("backoffice:control_sheet", get=DOSSIER_READERS),
    Entry("backoffice:result_download", get=DOSSIER_READERS),
    # The result leaves through the receiving agency's one-stop unit (motcua/delivery); the other
    # readers of the dossier are refused (403, audited). The world's dossier is still in progress:
    # the one-stop officer gets the "not waiting for its hand-over" message.
    writes("delivery:hand_over", at("own", "reception")),
    writes("delivery:shipment_send", at("own", "reception")),
    writes("delivery:shipment_delivered", at("own", "reception")),
    writes("delivery:shipment_failed", at("own", "reception")),
    # Nothing was handed over in the world: 404 for all (the readers: delivery/tests/test_delivery_pages.py).
    Entry("delivery:hand_over_note", get=NOBODY),
    # The post office (motcua/postal): its page for its clerks (the world's postal identity works
    # at the world's office) and the province-wide roles, who read but make no record (403).
    # No record exists in the world: 404 for all (the readers: postal/tests/).
    Entry("postal:my_office", get=frozenset({POSTAL})),
    Entry("postal:office", get=PROVINCE_WIDE | {POSTAL}, params={"code": "post_office_code"}),
    writes("postal:hand_over_new", frozenset({POSTAL}), params={"code": "post_office_code"}),
    Entry("postal:record", get=NOBODY),
    Entry("postal:record_pdf", get=NOBODY),
    writes("postal:record_confirm", NOBODY),
    # The one-stop unit's list of records on their way (filtered to its agencies).
    Entry("postal:incoming", get=STAFF),
    # No shipment in the world: 404 for all (the readers: delivery/tests/test_carrier.py).
    Entry("carrier:shipment_proof", get=NOBODY),
    Entry("backoffice:result_preview", get=DOSSIER_READERS, params={"step_id": "approve_step"}),
    Entry("reports_staff:ratings", get=STAFF),
    # Leaders' dashboards: every officer sees a scope of their own (their agencies, or their own
    # figures); another scope in the query string is refused (motcua/leaders/tests).
    Entry("leaders:dashboard", get=STAFF),
    Entry("leaders:dossiers", get=STAFF),
    Entry("leaders:performance", get=STAFF),
    # The filters' suggestions: every officer, only scopes of their own (motcua/leaders/tests).
    Entry("leaders:choices", get=STAFF),
    Entry("report_templates:list", get=STAFF),
    # The matrix's template covers the province and names no recipient: province-wide roles only.
    Entry("report_templates:download", get=PROVINCE_WIDE, params={"pk": "report_template"}),
    # Fees: the receiving agency's one-stop (and finance) staff take them and keep its books;
    # province-wide roles see every agency's.
    writes("payments_staff:counter_payment", at("own", "reception")),
    Entry(
        "payments_staff:finance",
        get=at("own", "reception") | PROVINCE_WIDE,
        post=at("own", "reception") | PROVINCE_WIDE,
    ),
    # Sync with the national portal: leaders and agency administrators (their agencies), province-wide roles.
    Entry("national:sync_health", get=at("own", "leader", "agency_admin") | PROVINCE_WIDE),
    # Demand forecast: leaders and agency administrators (their agencies), province-wide roles.
    Entry("forecast:demand", get=at("own", "leader", "agency_admin") | PROVINCE_WIDE),
    # The collections report: finance, leaders and agency administrators (their agencies; the
    # world has no finance identity), province-wide roles (every agency).
    Entry("collections:report", get=at("own", "leader", "agency_admin") | PROVINCE_WIDE),
    Entry("collections:list", get=at("own", "leader", "agency_admin") | PROVINCE_WIDE),
    Entry("collections:export", get=at("own", "leader", "agency_admin") | PROVINCE_WIDE),
    # The Decision 766 index: leaders and agency administrators of their agencies, province-wide roles.
    Entry("service_index:index", get=at("own", "leader", "agency_admin") | PROVINCE_WIDE),
    Entry(
        "service_index:dossiers",
        get=at("own", "leader", "agency_admin") | PROVINCE_WIDE,
        params={"code": "indicator_code"},
    ),
    # The statutory report on handling procedures: leaders, supervisors and agency administrators
    # (their agencies), province-wide roles (every agency).
    Entry("reports_staff:statutory", get=at("own", "leader", "agency_admin") | PROVINCE_WIDE),
    Entry("reports_staff:statutory_list", get=at("own", "leader", "agency_admin") | PROVINCE_WIDE),
    Entry("reports_staff:statutory_excel", get=at("own", "leader", "agency_admin") | PROVINCE_WIDE),
    Entry("reports_staff:statutory_pdf", get=at("own", "leader", "agency_admin") | PROVINCE_WIDE),
    # Feedback addressed to the ward: its staff see it; the others get 404 for it.
    Entry("reports_staff:feedback", get=STAFF, post=OWN_AGENCY, data={"feedback": "feedback"}),
    # The API: the catalogue and tracking are public; dossiers are their applicant's.
    writes("api:token", EVERYONE),
    # Tokens are ended or exchanged with a token, never with a session: every cell is refused.
    writes("api:token_revoke", NOBODY),
    writes("api:token_revoke_all", NOBODY),
    writes("api:token_refresh", NOBODY),
    Entry("api:procedure_list", get=EVERYONE),
    Entry("api:procedure_detail", get=EVERYONE),
    Entry("api:field_list", get=EVERYONE),
    Entry("api:agency_list", get=EVERYONE),
    Entry("api:unit_list", get=EVERYONE),
    Entry("api:tracking", get=EVERYONE, post=EVERYONE, params={"code": "dossier_code"}),
    Entry("api:verification", get=EVERYONE, params={"code": "verification_code"}),
    Entry("api:dossier_list", get=LOGGED_IN, post=LOGGED_IN),
    Entry("api:dossier_detail", get=OWNER_ONLY, patch=OWNER_ONLY, params=DRAFT),
    writes("api:dossier_attach", OWNER_ONLY, params=DRAFT),
    Entry("api:dossier_detach", delete=OWNER_ONLY, params=DRAFT),
    writes("api:dossier_submit", OWNER_ONLY, params=DRAFT),
    writes("api:dossier_confirm", OWNER_ONLY, params=DRAFT),
    writes("api:dossier_withdraw", OWNER_ONLY),
    writes("api:dossier_withdrawal_request", OWNER_ONLY),
    # Fees: the world's dossier owes nothing (paying it is the owner's 400 "fees_none") and has
    # no payment or receipt, so those answer 404 to all (the owner's: api/tests/test_api_payments.py).
    Entry("api:dossier_fees", get=OWNER_ONLY),
    writes("api:dossier_pay", OWNER_ONLY),
    Entry("api:dossier_payment", get=NOBODY),
    Entry("api:dossier_receipts", get=OWNER_ONLY),
    Entry("api:dossier_receipt", get=NOBODY, params={"receipt_id": "dossier"}),
    Entry("api:dossier_receipt_pdf", get=NOBODY, params={"receipt_id": "dossier"}),
    # Other systems: the token endpoint answers anyone (a 400 without client credentials); the
    # back-office API takes only a client's bearer token, never a session (its tests: motcua/api).
    writes("api:oauth_token", EVERYONE),
    Entry("api:backoffice_reception_queue", get=NOBODY),
    Entry("api:backoffice_work_queue", get=NOBODY),
    Entry("api:backoffice_search", get=NOBODY),
    Entry("api:backoffice_dossier", get=NOBODY),
    writes("api:backoffice_accept", NOBODY),
    writes("api:backoffice_request_supplement", NOBODY),
    writes("api:backoffice_refuse", NOBODY),
    Entry("api:backoffice_result", get=NOBODY),
    writes("api:backoffice_step_take", NOBODY),
    writes("api:backoffice_step_forward", NOBODY),
    writes("api:backoffice_step_return", NOBODY),
]


# The Django admin (/quan-tri/) is one group: staff with admin rights only. Ordinary officers
# (is_staff off, as in the demo), citizens and anonymous visitors are sent to its login page
# from every admin page; the agency administrator reaches the catalogue lists its group grants;
# the system administrator reaches every list. What an administrator may do inside a list is the
# ModelAdmins' business (tested in catalog/tests): their other pages check only "no 5xx".
ADMIN_IDENTITIES = (ANONYMOUS, OWNER, "specialist@own", "agency_admin@own", "system_admin")
ADMINS = frozenset({"agency_admin@own", "system_admin"})
AGENCY_ADMIN_LISTS = {
    "catalog_procedure",
    "catalog_procedureversion",
    "catalog_procedureform",
    "catalog_process",
    "catalog_resulttemplate",
}


def admin_expectation(name: str, identity: str) -> str | None:
    """ "allow", "deny" or None (not checked) for `identity` opening the admin page `name`."""
    if name == "admin:login":
        return "allow"
    if name in {"admin:logout", "admin:view_on_site"}:  # a logout; a redirect to the public page
        return None
    if identity not in ADMINS:
        return "deny"
    if name == "admin:index":
        return "allow"
    if name.endswith("_changelist"):
        model = name.removeprefix("admin:").removesuffix("_changelist")
        allowed = identity == "system_admin" or model in AGENCY_ADMIN_LISTS
        return "allow" if allowed else "deny"
    return None


@dataclass(frozen=True)
class Action:
    """A post with a real body, checked by its effect: `may` change the world, nobody else."""

    name: str  # URL pattern
    label: str
    may: frozenset[str]
    data: dict[str, Any]
    params: dict[str, str] = field(default_factory=dict)


LONG_ENOUGH = "Nội dung đủ dài để được chấp nhận."
ACTIONS = [
    # Moving the appointment (and the apology slip) is the handling agency's, never a consulted one's.
    Action(
        "backoffice:dossier_detail",
        "extend",
        at("own", "reception", "specialist", "leader"),
        {"action": "extend", "reason": LONG_ENOUGH, "new_due": "new_due"},
    ),
    # Stopping processing is a leader's of the handling agency, never a consulted agency's.
    Action(
        "backoffice:dossier_stop",
        "stop",
        at("own", "leader"),
        {"reason": LONG_ENOUGH, "legal_ground": LONG_ENOUGH},
    ),
    # Fees are taken at the receiving agency's counter.
    Action("payments_staff:counter_payment", "fees", at("own", "reception"), {"method": "cash"}),
    # Reception of a dossier still waiting at the ward's counter.
    Action("backoffice:dossier_detail", "accept", at("own", "reception"), {"action": "accept"}, {"pk": "submitted"}),
    # The main step belongs to the ward's specialist who holds it.
    Action(
        "backoffice:step_action",
        "supplement",
        at("own", "specialist"),
        {"action": "supplement", "reasons": LONG_ENOUGH},
    ),
    # Refusing at reception is the receiving agency's counter's.
    Action(
        "backoffice:dossier_detail",
        "refuse",
        at("own", "reception"),
        {"action": "refuse", "reasons": LONG_ENOUGH},
        {"pk": "submitted"},
    ),
    # Asking another agency's opinion is for the specialist holding the main step.
    Action(
        "backoffice:step_action",
        "consult",
        at("own", "specialist"),
        {"action": "consult", "agency": "foreign_agency", "question": LONG_ENOUGH, "days": "2"},
    ),
    # A leader assigns the steps of their own agency only: the ward's main step, the department's
    # consultation.
    Action(
        "backoffice:step_action",
        "assign",
        at("own", "leader"),
        {"action": "assign", "assignee": "main_step_holder"},
    ),
    Action(
        "backoffice:step_action",
        "assign consultation",
        at("consulted", "leader"),
        {"action": "assign", "assignee": "consultation_holder"},
        {"step_id": "consultation_step"},
    ),
    # The consultation is the consulted agency's specialist's to answer.
    Action(
        "backoffice:step_action",
        "answer",
        at("consulted", "specialist"),
        {"action": "answer", "answer": LONG_ENOUGH},
        {"step_id": "consultation_step"},
    ),
    # Feedback is answered by the addressed agency's reception, specialists and leaders.
    Action(
        "reports_staff:feedback",
        "answer",
        at("own", "reception", "specialist", "leader"),
        {"feedback": "feedback", "answer": LONG_ENOUGH},
    ),
]
