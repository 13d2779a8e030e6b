"""The message rows: one per member, subject (a meeting or a task), kind and key, delivered once.

What is due is decided in `due.py`, delivery with claim, retry and failure in `tasks.py`, and each channel
(e-mail today) is a module of `channels/`. This app uses the models and workflows of the others, never their
views.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Message(models.Model):
    """Every message Chibo sends about a meeting or a resolution's task: who, about what, which kind, when,
    what happened.

    The unique key ((meeting or task), member, kind, key) is what makes a member never receive the same
    reminder twice: a message is created once, and a task delivers it only after claiming it.
    """

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("Invitation")
        REMINDER = "reminder", _("Reminder")
        NUDGE = "nudge", _("Reply nudge")
        MOVED = "moved", _("Meeting moved")
        CANCELLED = "cancelled", _("Meeting cancelled")
        ATTENDANCE_MISSING = "attendance_missing", _("Attendance not recorded")
        TASK_DUE = "task_due", _("Task deadline near")
        TASK_OVERDUE = "task_overdue", _("Task overdue")
        TASK_OVERDUE_SECRETARY = "task_overdue_secretary", _("Task overdue, to the secretary")
        TEMPORARY_ENDING = "temporary_ending", _("Temporary activity ending, to the secretary")

    TASK_KINDS = {Kind.TASK_DUE, Kind.TASK_OVERDUE, Kind.TASK_OVERDUE_SECRETARY}
    # Kinds about a member of the cell (`about_member`), sent to someone else (the secretary).
    MEMBER_KINDS = {Kind.TEMPORARY_ENDING}

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")  # accepted by the channel; SMS and Zalo then report whether it arrived
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Not needed any more")
        NO_ADDRESS = "no_address", _("No way to reach them")
        OPTED_OUT = "opted_out", _("Asked for no messages")

    # The subject's lookups use the unique keys below, which start with it (`meeting = x` implies it is not
    # null, so PostgreSQL takes the partial index): no index of their own on the table that grows fastest.
    meeting = models.ForeignKey(
        "meetings.Meeting", models.CASCADE, null=True, blank=True, related_name="messages", db_index=False
    )
    task = models.ForeignKey(
        "resolutions.Task", models.CASCADE, null=True, blank=True, related_name="messages", db_index=False
    )
    # The member a message is about when it is about neither a meeting nor a task (a temporary activity ending).
    about_member = models.ForeignKey(
        "members.Member", models.CASCADE, null=True, blank=True, related_name="messages_about", db_index=False
    )
    member = models.ForeignKey("members.Member", models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    key = models.CharField(max_length=60, blank=True, help_text="Tells apart messages of one kind, e.g. '3d'.")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The channel that carries it (or last tried), and when to stop waiting for its delivery report and try
    # the next channel (SMS and Zalo report; e-mail does not).
    channel = models.CharField(_("channel"), max_length=10, blank=True)
    report_due_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "meetings_message"  # kept from when messages lived in meetings/: no row moved
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member", "kind", "key"], condition=Q(meeting__isnull=False), name="message_once"
            ),
            models.UniqueConstraint(
                fields=["task", "member", "kind", "key"], condition=Q(task__isnull=False), name="message_once_per_task"
            ),
            models.UniqueConstraint(
                fields=["about_member", "member", "kind", "key"],
                condition=Q(about_member__isnull=False),
                name="message_once_per_member_about",
            ),
            models.CheckConstraint(
                condition=Q(meeting__isnull=False, task__isnull=True, about_member__isnull=True)
                | Q(meeting__isnull=True, task__isnull=False, about_member__isnull=True)
                | Q(meeting__isnull=True, task__isnull=True, about_member__isnull=False),
                name="message_about_one_subject",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="message_status"),
            models.Index(fields=["report_due_at"], condition=Q(status="sent"), name="message_report_due"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.member}"

    @property
    def cell(self):
        """The cell the message is about: its meeting's, its task's resolution's, or the member's it is about."""
        if self.meeting_id:
            return self.meeting.cell
        if self.task_id:
            return self.task.resolution.cell
        return self.about_member.cell

    CHANNEL_LABELS = {"email": _("E-mail"), "sms": _("SMS"), "zalo": _("Zalo")}

    @property
    def channel_label(self):
        return self.CHANNEL_LABELS.get(self.channel, self.channel or "—")


class Delivery(models.Model):
    """One try of one channel for a message: the address used, what the provider answered and reported.

    A message has at most one delivery under way: the next channel is tried only after this one failed for
    good or its report did not come in time. (channel, provider_id) is unique, so a report is applied once.
    """

    class Status(models.TextChoices):
        # Written just before a channel that cannot refuse a second copy (Zalo, e-mail) is called: a worker
        # killed during the call leaves it so, and the message is then taken as sent, never sent again.
        SENDING = "sending", _("Being sent")
        ACCEPTED = "accepted", _("Accepted")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")
        NO_REPORT = "no_report", _("No delivery report")

    message = models.ForeignKey(Message, models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=10)
    address = models.CharField(max_length=254)
    provider_id = models.CharField(max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    error = models.CharField(max_length=300, blank=True)
    # What the provider bills: SMS segments, one Zalo message, one e-mail.
    units = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    reported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "provider_id"], condition=~Q(provider_id=""), name="delivery_provider_id_once"
            ),
        ]

    def __str__(self):
        return f"{self.message} ({self.channel}: {self.status})"


class EarlyReport(models.Model):
    """A delivery report that came before Chibo wrote what the provider answered (its batch still sending), or
    that names a Zalo message Chibo does not know yet: kept, and applied once the delivery is written (by the
    batch, else by the scan). Kept a day at most."""

    channel = models.CharField(max_length=10)
    provider_id = models.CharField(max_length=100, blank=True)
    message = models.ForeignKey(Message, models.CASCADE, null=True, blank=True, related_name="+")
    delivered = models.BooleanField()
    error = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["channel", "provider_id"], name="early_report_provider_id")]

    def __str__(self):
        return f"{self.channel} {self.provider_id or self.message_id}: {'delivered' if self.delivered else 'failed'}"


class ZaloToken(models.Model):
    """The Official Account's access token and the refresh token that renews it (one row). Zalo gives a new
    refresh token with each renewal and the old one stops working, so they are kept here, not in settings."""

    access_token = models.TextField(blank=True)
    refresh_token = models.TextField(blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Zalo token (expires {self.expires_at})"


class SendingCount(models.Model):
    """What a cell's messages cost in a month, by channel: messages the providers took and what they bill
    (SMS segments). Counted up as each delivery is accepted, in the same transaction."""

    cell = models.ForeignKey("members.OrgUnit", models.CASCADE, related_name="+")
    month = models.DateField(help_text="First day of the month, Vietnam's calendar.")
    channel = models.CharField(max_length=10)
    messages = models.PositiveIntegerField(default=0)
    units = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cell", "month", "channel"], name="sending_count_once")]

    def __str__(self):
        return f"{self.cell_id} {self.month:%m/%Y} {self.channel}: {self.messages}"

    @classmethod
    def add(cls, cell_id, day, channel, units):
        """Count one message more (and its units) for the cell's month; safe when two workers count at once."""
        cls.add_many({(cell_id, day, channel): (1, units)})

    @classmethod
    def add_many(cls, counts):
        """Count {(cell id, day, channel): (messages, units)}: one UPDATE per cell and channel, taken in one
        order by every worker (so that two never wait for each other), and a row made when there is none."""
        from django.db import IntegrityError, transaction

        merged = {}
        for (cell_id, day, channel), (messages, units) in counts.items():
            key = (cell_id, day.replace(day=1), channel)
            before = merged.get(key, (0, 0))
            merged[key] = (before[0] + messages, before[1] + units)
        for (cell_id, month, channel), (messages, units) in sorted(merged.items()):
            key = {"cell_id": cell_id, "month": month, "channel": channel}
            bump = {"messages": models.F("messages") + messages, "units": models.F("units") + units}
            if cls.objects.filter(**key).update(**bump):
                continue
            try:
                with transaction.atomic():
                    cls.objects.create(**key, messages=messages, units=units)
            except IntegrityError:  # another worker made the row meanwhile
                cls.objects.filter(**key).update(**bump)
