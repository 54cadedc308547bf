from motcua.core.tasks import task
from motcua.exchange.delivery import result_pushes_deliver


@task()
def result_push_send(*, push_ids: list[int]) -> dict[str, int]:
    """Deliver the results a dossier just issued (enqueued after that commit)."""
    return result_pushes_deliver(push_ids=push_ids)


@task()
def result_pushes_deliver_due() -> dict[str, int]:
    """Deliver every push due: retries after a failure, and what a lost queue or a crash left."""
    return result_pushes_deliver()
