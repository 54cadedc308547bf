import os
import socket

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from motcua.core.worker import heartbeat_start, periodic_start


class Command(BaseCommand):
    help = "Run a task worker for the configured backend (database or Redis) with a heartbeat."

    def handle(self, *args: object, **options: object) -> None:
        worker_id = f"{socket.gethostname()}-{os.getpid()}"
        heartbeat_start(worker_id=worker_id)
        periodic_start(schedule=settings.MOTCUA_PERIODIC_TASKS)
        backend = str(settings.TASKS["default"]["BACKEND"])
        if backend.startswith("django_tasks_rq"):
            call_command("rqworker", "default", "--with-scheduler")
        else:
            call_command("db_worker", queue_name="*", interval=0.5, worker_id=worker_id[:64])
