"""The one place that imports the task library, so swapping it touches one file."""

from django_tasks import task

__all__ = ["task"]
