"""Background work, queued with django-tasks (settings.TASKS: in the database) and run by
`manage.py db_worker`. Each task is a thin door into a service."""

from django_tasks import task


@task()
def build_export(export_id: int) -> None:
    from community.services import personal_data

    personal_data.build_export(export_id)


@task()
def delete_export_file(export_id: int) -> None:
    """Enqueued to run when the export expires (run_after)."""
    from community.services import personal_data

    personal_data.delete_export_file(export_id)
