"""Resolutions with their numbering, tasks and their progress reports, reviews, directives and study sessions."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ResolutionQuerySet(models.QuerySet):
    def visible_to(self, access):
        """The resolutions `access` (a user's `members.access.for_user(user)`) lets them see."""
        return self.filter(access.scope("cell__"))


class Resolution(models.Model):
    """A cell's resolution (nghị quyết), adopted by a vote at a meeting, numbered per cell and year when issued."""

    class Kind(models.TextChoices):
        REGULAR = "regular", _("Monthly resolution")
        THEMATIC = "thematic", _("Thematic resolution")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ISSUED = "issued", _("Issued")
        UNDER_REVIEW = "under_review", _("Under review")
        COMPLETED = "completed", _("Completed")

    cell = models.ForeignKey("members.OrgUnit", models.PROTECT, related_name="resolutions", verbose_name=_("cell"))
    meeting = models.ForeignKey("meetings.Meeting", models.PROTECT, related_name="resolutions",
                                verbose_name=_("meeting"))  # fmt: skip
    vote = models.ForeignKey("minutes.Vote", models.PROTECT, null=True, blank=True, related_name="resolutions",
                             verbose_name=_("adopting vote"))  # fmt: skip
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.REGULAR)
    title = models.CharField(_("title"), max_length=300)
    purpose = models.TextField(_("purpose and requirements"), blank=True)
    tasks_text = models.TextField(_("tasks"), blank=True)
    solutions = models.TextField(_("solutions"), blank=True)
    checking = models.TextField(_("checking"), blank=True)
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.DRAFT)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    issued_by = models.ForeignKey("members.User", models.SET_NULL, null=True, blank=True, related_name="+")
    # The text as issued (and the signer), so that later edits of members or cells never rewrite it.
    frozen = models.JSONField(default=dict, blank=True)
    pdf = models.FileField(upload_to="resolutions/", blank=True, max_length=300)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    pdf_source = models.CharField(max_length=64, blank=True)
    pdf_status = models.CharField(max_length=10, blank=True, default="")
    created_by = models.ForeignKey("members.User", models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ResolutionQuerySet.as_manager()

    class Meta:
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")
        ordering = ["-year", "-number", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["cell", "year", "number"], name="resolution_number_unique"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(number__isnull=False, year__isnull=False),
                name="resolution_issued_has_number",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}" if self.number else self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("resolutions:detail", args=[self.pk])

    @property
    def code(self):
        """The number as written on the document, e.g. "05-NQ/CB"."""
        return f"{self.number:02d}-NQ/CB" if self.number else ""


class ResolutionCounter(models.Model):
    """The last number given in a cell and year: locked while a resolution is issued, so numbers never
    repeat and never skip (a failed issue rolls its number back with it)."""

    cell = models.ForeignKey("members.OrgUnit", models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cell", "year"], name="resolution_counter_unique")]

    def __str__(self):
        return f"{self.cell} {self.year}: {self.last}"


class Task(models.Model):
    """A task of a resolution: what, by whom (and helpers), by when, with what result expected."""

    class Status(models.TextChoices):
        OPEN = "open", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        NOT_DONE = "not_done", _("Not done")

    resolution = models.ForeignKey(Resolution, models.CASCADE, related_name="tasks")
    title = models.CharField(_("task"), max_length=300)
    responsible = models.ForeignKey("members.Member", models.PROTECT, related_name="tasks",
                                    verbose_name=_("responsible"))  # fmt: skip
    helpers = models.ManyToManyField("members.Member", blank=True, related_name="helped_tasks",
                                     verbose_name=_("helpers"))  # fmt: skip
    deadline = models.DateField(_("deadline"))
    expected_result = models.CharField(_("expected result"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.OPEN)
    percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["deadline", "pk"]
        constraints = [models.CheckConstraint(condition=Q(percent__lte=100), name="task_percent_at_most_100")]
        # The dashboards' "overdue this month": open tasks by deadline, a small part of all tasks.
        indexes = [
            models.Index(
                fields=["deadline"], condition=Q(status__in=["open", "in_progress"]), name="task_open_deadline"
            )
        ]

    def __str__(self):
        return self.title

    @property
    def is_closed(self):
        return self.status in (self.Status.DONE, self.Status.NOT_DONE)

    def is_overdue(self, today):
        return not self.is_closed and self.deadline < today

    def finished_late(self):
        return self.status == self.Status.DONE and self.completed_on is not None and self.completed_on > self.deadline


def evidence_path(update, filename):
    from meetings.models import short_name

    return f"tasks/{update.task_id}/{short_name(filename)}"


class TaskUpdate(models.Model):
    """A report of progress on a task, by the person responsible or the committee."""

    task = models.ForeignKey(Task, models.CASCADE, related_name="updates")
    status = models.CharField(_("status"), max_length=15, choices=Task.Status.choices)
    percent = models.PositiveSmallIntegerField(_("progress (%)"))
    note = models.TextField(_("note"), blank=True)
    evidence = models.FileField(_("evidence"), upload_to=evidence_path, blank=True, max_length=300)
    by = models.ForeignKey("members.User", models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.task}: {self.percent}%"


class ResolutionReview(models.Model):
    """An interim (sơ kết) or final (tổng kết) review of a resolution, with its conclusions."""

    class Kind(models.TextChoices):
        INTERIM = "interim", _("Interim review")
        FINAL = "final", _("Final review")

    resolution = models.ForeignKey(Resolution, models.CASCADE, related_name="reviews")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    held_on = models.DateField(_("held on"))
    conclusions = models.TextField(_("conclusions"))
    by = models.ForeignKey("members.User", models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["held_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["resolution"], condition=Q(kind="final"), name="review_one_final")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.resolution}"


class Directive(models.Model):
    """A higher committee's resolution or directive that every cell below it must study by a date."""

    unit = models.ForeignKey("members.OrgUnit", models.CASCADE, related_name="directives", verbose_name=_("committee"))
    title = models.CharField(_("title"), max_length=300)
    reference = models.CharField(_("number and date"), max_length=100, blank=True)
    study_by = models.DateField(_("to be studied by"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("directive to study")
        verbose_name_plural = _("directives to study")
        ordering = ["-study_by", "pk"]

    def __str__(self):
        return self.title


class StudySession(models.Model):
    """A cell's session studying a directive: when, and who attended."""

    cell = models.ForeignKey("members.OrgUnit", models.CASCADE, related_name="study_sessions")
    directive = models.ForeignKey(Directive, models.CASCADE, related_name="sessions")
    held_on = models.DateField(_("held on"))
    attendees = models.ManyToManyField("members.Member", blank=True, related_name="study_sessions",
                                       verbose_name=_("attended"))  # fmt: skip

    class Meta:
        ordering = ["-held_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["cell", "directive"], name="study_once_per_cell")]

    def __str__(self):
        return f"{self.directive} – {self.cell}"


def essay_path(essay, filename):
    from meetings.models import short_name

    return f"essays/{essay.session_id}/{short_name(filename)}"


class StudyEssay(models.Model):
    """A member's study essay (bài thu hoạch) for a session."""

    session = models.ForeignKey(StudySession, models.CASCADE, related_name="essays")
    member = models.ForeignKey("members.Member", models.CASCADE, related_name="essays")
    submitted_on = models.DateField(_("submitted on"))
    file = models.FileField(_("essay"), upload_to=essay_path, blank=True, max_length=300)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "member"], name="essay_once")]

    def __str__(self):
        return f"{self.member}: {self.session}"
