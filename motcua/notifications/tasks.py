from motcua.core.tasks import task
from motcua.notifications.deadline_warnings import deadline_warnings_send
from motcua.notifications.outbox import outbox_dispatch
from motcua.notifications.zalo import ZaloDeliveryError, zalo_oa_tokens


@task()
def outbox_send(*, message_ids: list[int]) -> dict[str, int]:
    """Send the messages an event just recorded (enqueued after its commit)."""
    return outbox_dispatch(message_ids=message_ids).as_dict()


@task()
def outbox_dispatch_due() -> dict[str, int]:
    """Send everything due: retries, the end of quiet hours, what a crashed worker left behind."""
    return outbox_dispatch().as_dict()


@task()
def deadline_warnings() -> dict[str, int]:
    """Warn officers of their steps due soon or overdue (each warning once)."""
    return deadline_warnings_send()


@task()
def zalo_token_keep_fresh() -> dict[str, str]:
    """Renew the Zalo OA access token once it is due, even when no Zalo message is sent: each
    renewal rotates the refresh token, which would otherwise expire after about three months."""
    tokens = zalo_oa_tokens()
    if tokens is None:
        return {"zalo": "not renewing"}
    try:
        tokens.current()
    except ZaloDeliveryError as error:
        return {"zalo": error.reason}  # logged, and recorded on the token row for the admin
    return {"zalo": "fresh"}
