from motcua.core.tasks import task
from motcua.dossiers.acknowledgement import acknowledgement_send
from motcua.dossiers.warnings import deadline_warnings_send


@task()
def dossier_acknowledge(*, dossier_id: int) -> bool:
    return acknowledgement_send(dossier_id=dossier_id)


@task()
def deadline_warnings() -> dict[str, int]:
    return deadline_warnings_send()
