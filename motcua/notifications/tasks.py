from motcua.core.tasks import task
from motcua.notifications.outbox import outbox_dispatch


@task()
def outbox_send(*, message_ids: list[int]) -> dict[str, int]:
    """Send the messages an event just recorded (enqueued after its commit)."""
    return outbox_dispatch(message_ids=message_ids).as_dict()


@task()
def outbox_dispatch_due() -> dict[str, int]:
    """Send everything due: retries, the end of quiet hours, what a crashed worker left behind."""
    return outbox_dispatch().as_dict()
