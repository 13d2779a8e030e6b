"""`manage.py render_minutes`: render a meeting's minutes (or the latest signed ones) to a PDF file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from minutes.models import Minutes
from minutes.workflow import render_pdf


class Command(BaseCommand):
    help = "Render the minutes of one meeting to a PDF file, synchronously (for operators)."

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("meeting_id", nargs="?", type=int)
        # Ids differ from one database to the next: a newcomer trying the demo has no id to type.
        which.add_argument(
            "--latest", action="store_true", help="The latest meeting with signed minutes (else with any minutes)."
        )
        parser.add_argument("--out", required=True, help="The PDF file to write.")

    def handle(self, meeting_id, latest, out, **options):
        records = Minutes.objects.select_related("meeting__cell__parent")
        if latest:
            newest_first = records.order_by("-meeting__starts_at", "-pk")
            minutes = newest_first.filter(status=Minutes.Status.LOCKED).first() or newest_first.first()
            if minutes is None:
                raise CommandError("No meeting has minutes yet.")
        else:
            minutes = records.filter(meeting_id=meeting_id).first()
            if minutes is None:
                raise CommandError(f"Meeting {meeting_id} has no minutes.")
        content = render_pdf(minutes)
        Path(out).write_bytes(content)
        self.stdout.write(f"{out}: {len(content)} bytes (meeting {minutes.meeting_id}, {minutes.meeting})")
