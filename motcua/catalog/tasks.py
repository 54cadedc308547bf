from motcua.catalog.services import catalog_import_job_execute, catalog_import_jobs_resume
from motcua.core.tasks import task


@task()
def catalog_import_job_run(*, job_id: int) -> None:
    catalog_import_job_execute(job_id=job_id)


@task()
def catalog_import_jobs_resume_due() -> list[int]:
    """Periodic: start the imports whose queued job was lost."""
    return catalog_import_jobs_resume()
