import os
import socket

from django.conf import settings
from django.core.management.base import BaseCommand

from motcua.core.worker import db_work_forever, heartbeat_start, periodic_start, rq_work_forever


class Command(BaseCommand):
    help = (
        "Run a task worker for the configured backend (database or Redis) with a heartbeat and the "
        "periodic jobs; it rides out Redis and database outages and resumes by itself."
    )

    def handle(self, *args: object, **options: object) -> None:
        worker_id = f"{socket.gethostname()}-{os.getpid()}"
        heartbeat_start(worker_id=worker_id)
        periodic_start(schedule=settings.MOTCUA_PERIODIC_TASKS)
        backend = str(settings.TASKS["default"]["BACKEND"])
        if backend.startswith("django_tasks_rq"):
            rq_work_forever(queue_names=list(settings.TASKS["default"]["QUEUES"]), worker_name_prefix=worker_id)
        else:
            db_work_forever(worker_id=worker_id)
