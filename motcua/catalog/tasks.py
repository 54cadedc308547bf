from motcua.catalog.services import catalog_import_job_execute
from motcua.core.tasks import task


@task()
def catalog_import_job_run(*, job_id: int) -> None:
    catalog_import_job_execute(job_id=job_id)
