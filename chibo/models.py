"""The one table of Chibo's own plumbing: work the broker could not take, kept until it can."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeferredTask(models.Model):
    """A Celery task that was to be sent after a commit while the broker was away (see chibo/dispatch.py).

    The change it belongs to is saved; `redispatch_deferred` sends it once the broker answers again, one row
    per transaction, so a row is deleted as soon as the broker took it. A task can still run twice (a worker
    lost after it began: `acks_late`); message deliveries and PDF renders claim their work first, so they
    act once.
    """

    task = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)

    class Meta:
        verbose_name = _("deferred task")
        verbose_name_plural = _("deferred tasks")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.task}{tuple(self.args)}"
