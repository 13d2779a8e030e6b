"""chibo: the project's settings, URLs and Celery app (its wiring, which knows every app), and the small
helpers the apps share (dispatch of tasks, PDF, e-mail, Word files, uploads, throttles, cache), which import
no app."""

# Load the Celery app when Django starts so that @shared_task binds to it.
from .celery import app as celery_app

__all__ = ["celery_app"]
