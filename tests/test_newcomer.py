"""A newcomer's first steps, as the README gives them: `make run` (on any port), the console e-mails it prints,
and the commands the README shows on the demo data."""

import io
import re
import shlex
import sys
import textwrap
from datetime import datetime

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from meetings import services
from meetings.models import Meeting
from minutes.models import Minutes
from notifications.tasks import scan_reminders
from tests.test_settings import BASE_DIR, clean_env, run

README = (BASE_DIR / "README.md").read_text()
SITE_URL = "http://127.0.0.1:8100"


def readme_examples(command):
    """The README's runnable examples of a management command (not its synopsis, which has placeholders)."""
    found = [shlex.split(line) for line in re.findall(rf"`manage\.py ({command} [^`]+)`", README)]
    return [args for args in found if not any(re.fullmatch(r"[A-Z_]+(\.\w+)?", arg) for arg in args)]


@pytest.mark.django_db
def test_the_readmes_render_minutes_example_works_on_a_fresh_demo(tmp_path):
    call_command("seed_demo", stdout=io.StringIO())
    examples = readme_examples("render_minutes")
    assert examples, "the README shows how to render the demo's minutes"
    latest = Minutes.objects.filter(status=Minutes.Status.LOCKED).order_by("-meeting__starts_at").first()
    for name, *args in examples:
        out = tmp_path / "bien-ban.pdf"
        args[args.index("--out") + 1] = str(out)
        stdout = io.StringIO()
        call_command(name, *args, stdout=stdout)
        assert out.read_bytes().startswith(b"%PDF")
        assert f"(meeting {latest.meeting_id}," in stdout.getvalue()


@pytest.mark.django_db
def test_render_minutes_latest_says_when_no_meeting_has_minutes(tmp_path):
    with pytest.raises(CommandError, match="No meeting has minutes yet"):
        call_command("render_minutes", "--latest", "--out", str(tmp_path / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()


def test_make_run_on_another_port_serves_there_and_its_links_follow(tmp_path):
    """`PORT=8100 make run`, with a stand-in for the virtualenv's python that notes how it was called."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / ".run-deps").touch()  # installed already: make must not run pip
    calls = tmp_path / "calls.log"
    python = venv / "bin" / "python"
    # The server waits for the reminder loop, started before it in the background, to be noted.
    python.write_text(
        textwrap.dedent(f"""\
        #!/bin/sh
        echo "SITE_URL=$SITE_URL $*" >> {calls}
        case "$*" in *runserver*) for i in $(seq 100); do grep -q run_reminders {calls} && exit; sleep 0.1; done;; esac
    """)
    )
    python.chmod(0o755)
    env = clean_env(tmp_path, PORT="8100")
    for name in ["MAKEFLAGS", "MFLAGS", "MAKELEVEL"]:  # when the suite itself runs under `make test`
        env.pop(name, None)
    run(["make", "--no-print-directory", "run", f"VENV={venv}"], env)
    lines = calls.read_text().splitlines()
    assert f"SITE_URL={SITE_URL} manage.py runserver 127.0.0.1:8100" in lines
    # The reminder loop, which sends the e-mails, gets the same address.
    assert f"SITE_URL={SITE_URL} manage.py run_reminders" in lines


@pytest.mark.django_db
def test_email_and_calendar_links_start_with_the_site_url(
    settings, client, cell, secretary, member, django_capture_on_commit_callbacks
):
    settings.SITE_URL = SITE_URL
    with time_machine.travel("2026-11-20 09:00 +0700"):
        starts_at = timezone.make_aware(datetime(2026, 12, 3, 19, 30))
        meeting = services.create_meeting(Meeting(cell=cell, starts_at=starts_at, place="Nhà văn hóa thôn Đông"))
        services.confirm(meeting)
    mail.outbox.clear()
    # The scan sends its messages once its transaction commits.
    with time_machine.travel("2026-11-30 07:00 +0700"), django_capture_on_commit_callbacks(execute=True):
        scan_reminders()
    reminder = next(m for m in mail.outbox if "03/12" in m.subject and m.to == [member.email])
    links = re.findall(r"https?://[^\s\"<]+", reminder.body + reminder.alternatives[0][0])
    assert links and all(link.startswith(SITE_URL + "/") for link in links), links

    client.force_login(member)
    (event,) = Calendar.from_ical(client.get(reverse("meetings:ics", args=[meeting.pk])).content).walk("VEVENT")
    assert str(event["url"]) == f"{SITE_URL}/meetings/{meeting.pk}/"
    # The private feed's address is the one the browser is on.
    client.post(reverse("meetings:feed_renew"), HTTP_HOST="127.0.0.1:8100")
    page = client.get(reverse("meetings:mine"), HTTP_HOST="127.0.0.1:8100").content.decode()
    assert re.search(r'value="http://127\.0\.0\.1:8100/calendar/[^"]+\.ics"', page)


SEND = textwrap.dedent("""
    import django
    django.setup()
    from django.core.mail import EmailMultiAlternatives
    message = EmailMultiAlternatives(
        "Nhắc lịch: Sinh hoạt chi bộ tháng 12 ngày 03/12",
        "Kính gửi đồng chí Lê Thị Hoa,\\n\\nTrả lời (không cần mật khẩu): {link}\\n",
        "Chibo <chibo@localhost>", ["hoa@example.vn"],
    )
    message.attach_alternative("<p>Kính gửi đồng chí Lê Thị Hoa</p>", "text/html")
    message.send()
""")


def test_the_embedded_default_prints_emails_readable(tmp_path):
    # A reply link as long as the real ones: quoted-printable would cut it with "=" and encode its "=".
    link = "http://127.0.0.1:8000/r/" + "Ab3-x_Yz9=" * 12 + "/"
    env = clean_env(tmp_path, DJANGO_SETTINGS_MODULE="chibo.settings")
    output = run([sys.executable, "-c", SEND.format(link=link)], env)
    assert "Subject: Nhắc lịch: Sinh hoạt chi bộ tháng 12 ngày 03/12" in output
    assert "To: hoa@example.vn" in output
    assert "Kính gửi đồng chí Lê Thị Hoa," in output
    assert link in output.split()
    assert "=?utf-8?" not in output.lower()


def test_the_console_backend_refuses_what_sending_would_refuse():
    from chibo.emails import ConsoleBackend

    stream = io.StringIO()
    message = mail.EmailMessage("Họp\nchi bộ", "…", "chibo@localhost", ["hoa@example.vn"])
    with pytest.raises(mail.BadHeaderError):
        ConsoleBackend(stream=stream).send_messages([message])
    assert stream.getvalue() == ""
