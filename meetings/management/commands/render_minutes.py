from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from meetings.minutes import render_pdf
from meetings.models import Minutes


class Command(BaseCommand):
    help = "Render the minutes of one meeting to a PDF file, synchronously (for operators)."

    def add_arguments(self, parser):
        parser.add_argument("meeting_id", type=int)
        parser.add_argument("--out", required=True, help="The PDF file to write.")

    def handle(self, meeting_id, out, **options):
        minutes = Minutes.objects.select_related("meeting__cell__parent").filter(meeting_id=meeting_id).first()
        if minutes is None:
            raise CommandError(f"Meeting {meeting_id} has no minutes.")
        content = render_pdf(minutes)
        Path(out).write_bytes(content)
        self.stdout.write(f"{out}: {len(content)} bytes")
