"""Workers renewing the Zalo access token at the same time use the refresh token once.

Requirement (Zalo access tokens expire after 25 hours): a refresh token works once, and Zalo
retires it when it answers. Several workers (threads of one process, or processes) finding the
token expired at the same moment must make one call to Zalo's OAuth endpoint in total: the
stored row is locked, looked at again, and only then renewed.
"""

import threading

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from motcua.notifications.models import ZaloOaToken
from motcua.notifications.testing import zalo_send_process
from motcua.notifications.zalo import zalo_gateways

ZALO_PHONE = "84912345678"
WORKERS = 4


def _send(tracking_id):
    return zalo_gateways.get().send(
        phone="0912345678", template_id="motcua_accepted", template_data={}, tracking_id=tracking_id
    )


def _prepare(state, simulator):
    """The stored token in `state`; the number of OAuth calls made so far."""
    if state == "nothing stored":
        return 0
    _send("mc-first")
    if state == "expired":
        ZaloOaToken.objects.update(access_token_expires_at=timezone.now())
    simulator.expire_access_tokens()  # "revoked": valid by our clock, refused by Zalo (-124)
    return 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("state", ["nothing stored", "expired", "revoked"])
def test_threads_renewing_at_once_make_one_refresh_call(zalo_oauth_simulator, state):
    calls_before = _prepare(state, zalo_oauth_simulator)
    # A slow answer keeps the first worker inside the lock while the others arrive.
    zalo_oauth_simulator.oauth_delay = 0.3
    start = threading.Barrier(WORKERS)
    sent: list[str] = []
    errors: list[BaseException] = []

    def worker(n):
        start.wait()
        try:
            sent.append(_send(f"mc-{n}"))
        except BaseException as error:
            errors.append(error)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == [] and len(sent) == WORKERS
    assert zalo_oauth_simulator.refresh_calls == calls_before + 1, "one refresh call in total"
    assert zalo_oauth_simulator.refresh_token_reuses == 0
    assert len(zalo_oauth_simulator.messages_to(ZALO_PHONE)) == WORKERS + calls_before
    row = ZaloOaToken.objects.get()
    assert row.access_token in zalo_oauth_simulator.issued_access_tokens[-1:], "the newest pair is stored"


@pytest.mark.django_db(transaction=True)
def test_processes_renewing_an_expired_token_make_one_refresh_call(zalo_oauth_simulator):
    _prepare("expired", zalo_oauth_simulator)
    zalo_oauth_simulator.oauth_delay = 0.5
    workers = [
        zalo_send_process(database_name=connection.settings_dict["NAME"], tracking_id=f"mc-p{n}", phone="0912345678")
        for n in range(2)
    ]
    try:
        for worker in workers:
            assert worker.stdout is not None and worker.stdout.readline().strip() == "ready"
        for worker in workers:  # both go at once
            assert worker.stdin is not None
            worker.stdin.write("go\n")
            worker.stdin.flush()
        outcomes = [worker.communicate(timeout=60) for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait(timeout=10)

    assert [worker.returncode for worker in workers] == [0, 0], [err for _out, err in outcomes]
    assert zalo_oauth_simulator.refresh_calls == 2, "the first send's, and one for both processes"
    assert zalo_oauth_simulator.refresh_token_reuses == 0
    assert len(zalo_oauth_simulator.messages_to(ZALO_PHONE)) == 3
