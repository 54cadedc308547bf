"""The production profile, run for real: PostgreSQL, Redis, an S3 server, an SMTP sink, two
gunicorn processes and two workers started as the README documents (motcua.core.stack).

One dossier goes from the API submission through the back office to its returned result, with
every e-mail at the SMTP sink, its files in the bucket and no failed job. Then the parts fail:
a worker is killed with SIGKILL while it dispatches, Redis restarts empty, the mail server
refuses for a while, PostgreSQL stops for 20 s, and the same request is sent twice meanwhile.
Each ends with every dossier, message and audit event exactly once, and the workers back by
themselves (/healthz ok).
"""

import re
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import psycopg
import pytest
from redis import Redis
from rq import Worker

from motcua.core.stack import ROOT, Stack, StackUnavailable, production_stack
from motcua.core.testing import small_pdf
from motcua.dossiers.demo_answers import DEMO_HOME_UNIT, birth_registration_answers

pytestmark = pytest.mark.production

PHONE, PASSWORD = "0912345678", "demo@2026"
BIRTH = "1.001193"
OTP = re.compile(r"là (\d{6})\.")
LOGS_KEPT = ROOT / "var" / "production-stack-logs"


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    try:
        with production_stack(env={"MOTCUA_OTP_SENDS_PER_HOUR": "1000"}) as running:
            try:
                running.wait_healthy(timeout=90)
                print(f"production stack started: {running.timings}")
                yield running
            finally:  # kept for reading after a failure (CI keeps var/ as an artefact)
                shutil.copytree(running.tmp / "logs", LOGS_KEPT, dirs_exist_ok=True)
    except StackUnavailable as missing:
        pytest.skip(str(missing))


def wait_for(what: str, check: Callable[[], Any], *, timeout: float = 60, every: float = 0.5) -> Any:
    """Poll `check` until it returns something truthy; fail with `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
        except (httpx.HTTPError, psycopg.Error):
            result = None
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(every)


def sql(stack: Stack, query: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(stack.postgres_dsn, connect_timeout=5) as db:
        return db.execute(query, params).fetchall()  # type: ignore[arg-type]


def browser(base_url: str) -> httpx.Client:
    """An HTTP client that keeps cookies like a browser on a loopback address. The production
    profile marks its cookies Secure, which browsers still send to http://127.0.0.1 but Python's
    cookie jars do not, so this client keeps them itself."""
    cookies: dict[str, str] = {}

    def remember(response: httpx.Response) -> None:
        for header in response.headers.get_list("set-cookie"):
            name, _, rest = header.partition("=")
            cookies[name.strip()] = rest.split(";", 1)[0]

    def send(request: httpx.Request) -> None:
        if cookies:
            request.headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())

    return httpx.Client(
        base_url=base_url,
        timeout=30,
        follow_redirects=True,
        event_hooks={"request": [send], "response": [remember]},
    )


# --- the citizen, through the API ------------------------------------------------------------


def citizen_api(stack: Stack, base_url: str | None = None) -> httpx.Client:
    base = base_url or stack.base_url
    token = httpx.post(f"{base}/api/v1/auth/token/", json={"phone": PHONE, "password": PASSWORD}, timeout=30)
    assert token.status_code == 200, token.text
    return httpx.Client(base_url=base, headers={"Authorization": f"Token {token.json()['token']}"}, timeout=30)


def draft_ready(stack: Stack, api: httpx.Client, child: str) -> int:
    """A birth registration filled, with its papers uploaded, ready to submit; returns its id."""
    unit = DEMO_HOME_UNIT  # the ward whose demo staff (xa.*) receive the dossiers
    created = api.post("/api/v1/dossiers/", json={"procedure": BIRTH, "unit": unit})
    assert created.status_code == 201, created.text
    pk = int(created.json()["id"])
    components = sql(
        stack,
        "SELECT c.id FROM catalog_dossiercomponent c JOIN dossiers_dossier d "
        "ON d.procedure_version_id = c.version_id WHERE d.id = %s AND c.required ORDER BY c.id",
        pk,
    )
    for (component,) in components:
        upload = api.post(
            f"/api/v1/dossiers/{pk}/attachments/",
            data={"component": str(component)},
            files={"file": ("giay-chung-sinh.pdf", small_pdf(), "application/pdf")},
        )
        assert upload.status_code == 201, upload.text
    revision = api.get(f"/api/v1/dossiers/{pk}/").json()["revision"]
    patched = api.patch(
        f"/api/v1/dossiers/{pk}/",
        json={
            "revision": revision,
            "form_data": {**birth_registration_answers(child, birth_unit=unit, home_unit=unit), "copies": 1},
            "delivery_method": "online",
        },
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["problems"] in ({}, []), patched.json()["problems"]
    return pk


def submit(api: httpx.Client, pk: int) -> None:
    submitted = api.post(f"/api/v1/dossiers/{pk}/submit/", json={"declaration": True})
    assert submitted.status_code == 202, submitted.text


def otp_for(stack: Stack, pk: int) -> str:
    """The newest confirmation code in the demo SMS inbox (the citizen reads it on the phone)."""
    rows = sql(stack, "SELECT text FROM notifications_demosmsmessage WHERE phone = %s ORDER BY id DESC LIMIT 5", PHONE)
    codes = [match.group(1) for (text,) in rows if (match := OTP.search(text))]
    assert codes, f"no confirmation code for dossier {pk}"
    return codes[0]


def confirm(api: httpx.Client, pk: int, code: str) -> httpx.Response:
    return api.post(f"/api/v1/dossiers/{pk}/confirm/", json={"code": code})


def submitted_dossier(stack: Stack, api: httpx.Client, child: str) -> tuple[int, str]:
    pk = draft_ready(stack, api, child)
    submit(api, pk)
    confirmed = confirm(api, pk, otp_for(stack, pk))
    assert confirmed.status_code == 200, confirmed.text
    return pk, str(confirmed.json()["code"])


# --- the officers, through the back office -----------------------------------------------------


def login_form(client: httpx.Client, username: str) -> httpx.Response:
    """Fill the back office's login form and send it."""
    form = client.get("/can-bo/dang-nhap/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    fields = {"csrfmiddlewaretoken": token.group(1) if token else "", "username": username, "password": PASSWORD}
    return client.post("/can-bo/dang-nhap/", data=fields)


def staff_login(stack: Stack, username: str) -> httpx.Client:
    client = browser(stack.base_urls[-1])
    assert "Xin chào" in login_form(client, username).text, f"{username} could not log in"
    return client


def press(client: httpx.Client, pk: int, action: str, done: str, **fields: str) -> str:
    """Press the button `action` on the dossier's back-office page, as the officer would:
    the form around it gives the address, the CSRF token and the revision."""
    detail = f"/can-bo/ho-so/{pk}/"
    page = client.get(detail)
    assert page.status_code == 200, page.status_code
    for attributes, body in re.findall(r"<form\b([^>]*)>(.*?)</form>", page.text, re.S):
        if f'value="{action}"' not in body:
            continue
        target = re.search(r'action="([^"]+)"', attributes)
        hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', body))
        answer = client.post(target.group(1) if target else detail, data={**hidden, "action": action, **fields})
        assert answer.status_code == 200 and done in answer.text, f"{action}: {answer.status_code} {done!r} missing"
        return answer.text
    raise AssertionError(f"no button {action!r} on the page of dossier {pk}")


# --- what the stack holds -----------------------------------------------------------------------


def emails_of(stack: Stack, pk: int) -> list[tuple[str, str]]:
    """(Message-ID, status) of every e-mail the outbox holds for the dossier."""
    return [
        (f"<{ref}@dichvucong.local>", status)
        for ref, status in sql(
            stack,
            "SELECT provider_ref, status FROM notifications_outboxmessage WHERE dossier_id = %s AND channel = 'email'",
            pk,
        )
    ]


def sink_count(stack: Stack) -> Counter[str]:
    return Counter(str(message["Message-ID"]) for message in stack.smtp_messages)


def acknowledgements(stack: Stack, code: str) -> int:
    subjects = [str(message["Subject"]) for message in stack.smtp_messages]
    return sum(code in subject and "nhận hồ sơ" in subject for subject in subjects)


def mail_not_delivered_once(stack: Stack, pks: list[int], codes: list[str]) -> list[str]:
    """What is still missing or repeated: outbox e-mails not sent once, acknowledgements not once."""
    sent = sink_count(stack)
    rows = [row for pk in pks for row in emails_of(stack, pk)]
    return [
        f"{message_id} {status} x{sent[message_id]}"
        for message_id, status in rows
        if status not in {"sent", "delivered"} or sent[message_id] != 1
    ] + [f"acknowledgement of {code} x{count}" for code in codes if (count := acknowledgements(stack, code)) != 1]


def assert_exactly_once(stack: Stack, pks: list[int], codes: list[str]) -> None:
    """Every dossier once, every e-mail once at the sink, every state change audited once."""
    assert len(set(codes)) == len(codes)
    rows = sql(stack, "SELECT code FROM dossiers_dossier WHERE code = ANY(%s)", codes)
    assert sorted(code for (code,) in rows) == sorted(codes)
    try:
        wait_for("every e-mail delivered", lambda: not mail_not_delivered_once(stack, pks, codes), timeout=60)
    except AssertionError:
        raise AssertionError(f"not delivered exactly once: {mail_not_delivered_once(stack, pks, codes)}") from None
    for pk in pks:
        repeated = sql(
            stack,
            "SELECT action, count(*) FROM core_auditevent WHERE object_type = 'dossiers.dossier' AND object_id = %s "
            "AND action IN ('dossier.submitted', 'dossier.awaiting_confirmation', 'dossier.received') "
            "GROUP BY action HAVING count(*) > 1",
            str(pk),
        )
        assert repeated == [], f"dossier {pk}: {repeated}"
    # Nothing else arrives later: the same mail twice would show here.
    time.sleep(2)
    assert all(count == 1 for count in sink_count(stack).values()), sink_count(stack).most_common(3)


def failed_jobs(stack: Stack) -> int:
    import redis
    from rq import Queue
    from rq.registry import FailedJobRegistry

    connection = redis.Redis.from_url(stack.redis_url)
    return FailedJobRegistry(queue=Queue("default", connection=connection)).count


def tracebacks(stack: Stack) -> dict[str, str]:
    return {name: text for name, text in stack.logs().items() if "Traceback (most recent call last)" in text}


# --- the tests -----------------------------------------------------------------------------------


def test_one_dossier_from_the_api_to_its_returned_result(stack: Stack) -> None:
    """Submitted through the API, taken through reception, processing, approval with signature
    and issue in the back office: every e-mail at the sink, the files in the bucket, no job failed."""
    health = stack.wait_healthy()
    assert health["storage"] == {"ok": True, "backend": "s3", "bucket": stack.bucket}
    assert health["queue"]["backend"] == "redis" and health["database"]["vendor"] == "postgresql"
    assert health["workers"] == {"ok": True, "alive": 2}
    anonymous = httpx.get(f"{stack.base_url}/healthz", timeout=10).json()
    assert anonymous["storage"] == {"ok": True}

    api = citizen_api(stack)
    pk, code = submitted_dossier(stack, api, "Nguyễn Hải Đăng")
    wait_for("the acknowledgement", lambda: acknowledgements(stack, code) == 1)

    reception = staff_login(stack, "xa.tiepnhan")
    # One copy asked for: 8,000 đ owed at submission, taken at the counter before acceptance.
    assert sql(stack, "SELECT fees_due FROM dossiers_dossier WHERE id = %s", pk) == [(8000,)]
    press(reception, pk, "fees", "Đã thu phí, lệ phí và lập biên lai điện tử.", method="cash")
    press(reception, pk, "accept", "Đã lập")
    specialist = staff_login(stack, "xa.chuyenvien")
    forwarded = "Đã hoàn thành bước và chuyển hồ sơ."
    press(specialist, pk, "forward", forwarded, note="Hồ sơ hợp lệ.", draft="Đăng ký khai sinh.")
    press(staff_login(stack, "xa.lanhdao"), pk, "approve", "Đã phê duyệt và ký số kết quả.")
    press(staff_login(stack, "xa.vanthu"), pk, "issue", "Đã vào sổ và phát hành kết quả.")
    assert api.get(f"/api/v1/dossiers/{pk}/").json()["status"] == "returned"

    # The uploads and the signed result are objects in the bucket, and the result is a PDF.
    files = sql(
        stack,
        "SELECT file FROM dossiers_dossierattachment WHERE dossier_id = %s UNION ALL "
        "SELECT file FROM documents_issueddocument WHERE dossier_id = %s AND issued_at IS NOT NULL",
        pk,
        pk,
    )
    keys = {item["Key"] for item in stack.s3.list_objects_v2(Bucket=stack.bucket)["Contents"]}
    assert len(files) >= 2 and {name for (name,) in files} <= keys
    result_key = files[-1][0]
    assert stack.s3.get_object(Bucket=stack.bucket, Key=result_key)["Body"].read().startswith(b"%PDF")

    # Its receipt is numbered in the ward's series.
    receipts = sql(stack, "SELECT number, amount, status FROM payments_receipt WHERE dossier_id = %s", pk)
    assert [(amount, status) for _number, amount, status in receipts] == [(8000, "issued")] and receipts[0][0] >= 1

    # Each e-mail the outbox wrote for this dossier reached the sink once; no job failed.
    assert_exactly_once(stack, [pk], [code])
    assert len(emails_of(stack, pk)) >= 2
    assert failed_jobs(stack) == 0
    assert tracebacks(stack) == {}


def busy_workers(stack: Stack) -> list[int]:
    """[index] of a live worker in the middle of a job, or []."""
    index = busy_worker(stack)
    return [] if index is None else [index]


def busy_worker(stack: Stack) -> int | None:
    """Index of a live worker in the middle of a job: RQ's own record in Redis says it is busy
    (run_worker names its RQ worker <host>-<pid>-<n>), or its log shows a job started and not
    finished."""
    live = {process.pid: index for index, process in enumerate(stack.workers) if process.poll() is None}
    with Redis.from_url(stack.redis_url) as connection:
        for worker in Worker.all(connection=connection):
            pid = worker.name.rsplit("-", 2)[-2]
            if worker.get_state() == "busy" and pid.isdigit() and int(pid) in live:
                return live[int(pid)]
    logs = stack.logs()
    for index in live.values():
        lines = logs.get(f"worker-{index}", "").splitlines()
        started = [n for n, line in enumerate(lines) if "state=RUNNING" in line]
        finished = [n for n, line in enumerate(lines) if "state=SUCCESSFUL" in line or "state=FAILED" in line]
        if started and (not finished or started[-1] > finished[-1]):
            return index
    return None


def test_a_worker_killed_mid_dispatch_loses_and_repeats_nothing(stack: Stack) -> None:
    """A worker and its job die with SIGKILL while an e-mail is being handed to a slow mail
    server; a new worker is started, and every message still arrives exactly once."""
    api = citizen_api(stack)
    stack.set_smtp_delay(3)
    try:
        dossiers = [submitted_dossier(stack, api, child) for child in ("Lê Minh Châu", "Lê Gia Bảo")]
        # A list, so that worker 0 counts as found (wait_for waits for something truthy).
        (victim,) = wait_for("a worker in the middle of a job", lambda: busy_workers(stack), timeout=60, every=0.2)
        stack.kill_worker(victim)
    finally:
        stack.set_smtp_delay(0)
    stack.start_worker()
    assert_exactly_once(stack, [pk for pk, _ in dossiers], [code for _, code in dossiers])
    assert stack.wait_healthy()["workers"]["ok"]


def test_redis_restarted_empty_mid_run_delays_but_loses_nothing(stack: Stack) -> None:
    """While Redis is down, confirmations of committed dossiers answer success (sent twice, the
    second is not an error page either) and /healthz says the queue is down; Redis comes back
    empty, the workers reconnect by themselves and the sweeps deliver every message once."""
    api = citizen_api(stack)
    drafts = [draft_ready(stack, api, child) for child in ("Phạm Anh Thư", "Phạm Quốc Việt")]
    stack.stop_redis()
    try:
        codes = []
        for pk in drafts:
            submit(api, pk)
            code = otp_for(stack, pk)
            first, again = confirm(api, pk, code), confirm(api, pk, code)
            assert first.status_code == 200, first.text
            assert again.status_code < 500, again.text
            codes.append(str(first.json()["code"]))
        down = httpx.get(f"{stack.base_url}/healthz", timeout=10)
        assert down.status_code == 503 and down.json()["queue"] == {"ok": False}
        time.sleep(5)  # the workers meet the outage too
    finally:
        stack.start_redis()
    assert stack.wait_healthy(timeout=60)["queue"]["ok"]
    assert_exactly_once(stack, drafts, codes)
    # No worker gave up: the two running before the outage still run (one killed earlier aside).
    assert sum(process.poll() is None for process in stack.workers) == 2


def test_a_mail_server_refusing_for_a_while_delays_every_mail_once(stack: Stack) -> None:
    """The mail server answers "try again later" (451) for a while: the e-mails wait in the
    outbox and each arrives once when it accepts again (15 s here; the sweep's pace is the same
    for a minute, only longer)."""
    api = citizen_api(stack)
    stack.set_smtp_refusing(True)
    try:
        pk, code = submitted_dossier(stack, api, "Đặng Thu Hà")
        wait_for(
            "a refused attempt",
            lambda: sql(
                stack,
                "SELECT count(*) FROM notifications_outboxmessage WHERE dossier_id = %s AND attempts > 0 "
                "AND status NOT IN ('sent', 'delivered')",
                pk,
            )[0][0],
            timeout=30,
        )
        time.sleep(10)
        assert acknowledgements(stack, code) == 0
    finally:
        stack.set_smtp_refusing(False)
    assert_exactly_once(stack, [pk], [code])


def test_postgres_stopped_20_seconds(stack: Stack) -> None:
    """For 20 s without the database, the person gets a 503 answer (never a 500 traceback), the
    same confirmation sent twice included; afterwards the confirmation goes through once and the
    workers' heartbeats resume by themselves."""
    api = citizen_api(stack)
    pk = draft_ready(stack, api, "Võ Thanh Tâm")
    submit(api, pk)
    code = otp_for(stack, pk)
    stack.stop_postgres()
    stopped_at = time.monotonic()
    try:
        for _ in range(2):
            answer = confirm(api, pk, code)
            assert answer.status_code == 503, (answer.status_code, answer.text[:300])
            assert "Traceback" not in answer.text
        # An officer logging in meanwhile gets the "service unavailable" page, not a server error.
        login = login_form(browser(stack.base_url), "xa.tiepnhan")
        assert login.status_code == 503 and "Traceback" not in login.text, login.status_code
        health = httpx.get(f"{stack.base_url}/healthz", timeout=30)
        assert health.status_code == 503 and health.json()["database"] == {"ok": False}
        time.sleep(max(0.0, 20 - (time.monotonic() - stopped_at)))
    finally:
        stack.start_postgres()
    (restarted_at,) = sql(stack, "SELECT now()")[0]
    live_workers = sum(process.poll() is None for process in stack.workers)
    wait_for(
        "every live worker's heartbeat after the restart",
        lambda: (
            sql(stack, "SELECT count(*) FROM core_workerheartbeat WHERE last_seen > %s", restarted_at)[0][0]
            >= live_workers
        ),
        timeout=40,
    )
    confirmed = wait_for("the confirmation", lambda: (r := confirm(api, pk, code)).status_code == 200 and r)
    assert_exactly_once(stack, [pk], [str(confirmed.json()["code"])])
    assert stack.wait_healthy(timeout=30)["ok"]
