from motcua.core.tasks import task
from motcua.dossiers.warnings import deadline_warnings_send


@task()
def deadline_warnings() -> dict[str, int]:
    return deadline_warnings_send()
