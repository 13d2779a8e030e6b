"""How fast Chibo sends invitations through a real worker, against a floor.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chibo_fanout REDIS_URL=redis://127.0.0.1:6379/6 \\
        .venv/bin/python bench/fanout.py [--meetings 3000] [--members 20] [--concurrency N]

It migrates the database, makes `--meetings` confirmed meetings in cells of `--members` members with
mobile phones (one meeting per cell and month), one invitation message each (60,000 by default), and starts
a local SMS provider (a real HTTP server in this process) and a real Celery worker on a queue of its own
(prefork, `--concurrency`, default the number of CPUs). It then sends every message's delivery task and
counts, from the rows, how many were sent per second until the last one. The messages are queued as Chibo queues
them: in batches of MESSAGE_BATCH_SIZE, one `deliver_messages` task each. The floor, measured in the same
run: the same number of no-op Celery tasks (bench/floor.py) that each make one HTTP call to the same server.
Duplicates (a phone that received the same invitation twice) and lost messages (not sent) are counted from
the provider's log and the message rows. The last line printed is one JSON object.

The data it makes is under the unit code FANOUT; `--keep` leaves it, else it is deleted at the end.
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import timedelta
from http.server import ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chibo.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from chibo import bulk  # noqa: E402
from chibo.celery import app  # noqa: E402
from meetings.models import Invitation, Meeting  # noqa: E402
from members.models import Member, OrgUnit  # noqa: E402
from notifications.models import Delivery, Message  # noqa: E402
from tests.notifications.providers import Provider, _handler  # noqa: E402

CODE = "FANOUT"
TARGET_RATIO = 0.5


def build(meetings, members):
    """Cells of `members` members, each with meetings one month apart, confirmed, and one invitation message per
    member and meeting. Returns the message ids."""
    cells_needed = max(1, -(-meetings // 24))
    per_cell = -(-meetings // cells_needed)
    with bulk.loading():
        province = OrgUnit.objects.create(code=CODE, kind=OrgUnit.Kind.PROVINCIAL, name="Bench", place_name="Bench")
        cells = [OrgUnit(code=f"{CODE}.{i:04d}", kind=OrgUnit.Kind.CELL, parent=province, name=f"Chi bộ {i}",
                         place_name="Bench") for i in range(cells_needed)]  # fmt: skip
        for cell in cells:
            cell.save()
        people, phone = [], 0
        for cell in cells:
            for n in range(members):
                phone += 1
                people.append(Member(cell=cell, full_name=f"Đảng viên {n}", gender="male", admitted_on="1990-01-01",
                                     official_on="1991-01-01", phone=f"+8491{phone:07d}"))  # fmt: skip
        for member in people:
            member.prepare_names()
        people = Member.objects.bulk_create(people, batch_size=2000)
        by_cell = {}
        for member in people:
            by_cell.setdefault(member.cell_id, []).append(member)
        start = timezone.now() + timedelta(days=3)
        planned = []
        for cell in cells:
            for k in range(per_cell):
                if len(planned) == meetings:
                    break
                planned.append(Meeting(cell=cell, starts_at=start + timedelta(days=31 * k), place="Nhà văn hóa",
                                       status=Meeting.Status.CONFIRMED, invited_at=timezone.now()))  # fmt: skip
        planned = Meeting.objects.bulk_create(planned, batch_size=2000)
        invitations, messages = [], []
        for meeting in planned:
            for member in by_cell[meeting.cell_id]:
                invitations.append(Invitation(meeting=meeting, member=member))
                messages.append(Message(meeting=meeting, member=member, kind=Message.Kind.INVITATION))
        Invitation.objects.bulk_create(invitations, batch_size=5000)
        return [m.pk for m in Message.objects.bulk_create(messages, batch_size=5000)]


def clean():
    units = OrgUnit.objects.filter(code__startswith=CODE)
    Message.objects.filter(meeting__cell__in=units).delete()
    Meeting.objects.filter(cell__in=units).delete()
    Member.objects.filter(cell__in=units).delete()
    for unit in units.order_by("-path"):
        unit.delete()


def start_worker(args, queue, env_extra, app_name="chibo"):
    env = {**os.environ, **env_extra}
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", app_name, "worker", "--pool=prefork",
         f"--concurrency={args.concurrency}", "-Q", queue, "--without-heartbeat", "--without-gossip",
         "--without-mingle", "--loglevel=WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def wait_until(condition, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(1)
    return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--meetings", type=int, default=3000)
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--timeout", type=int, default=3600, help="seconds each phase may take at most")
    parser.add_argument("--keep", action="store_true", help="leave the data made for the run")
    args = parser.parse_args()
    if not settings.REDIS_URL or settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: the benchmark runs the real stack.")

    call_command("migrate", verbosity=0)
    clean()
    provider = Provider()
    provider.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
    provider.server.daemon_threads = True
    threading.Thread(target=provider.server.serve_forever, daemon=True).start()
    sms_url = f"{provider.url}/sms"

    print(f"Making {args.meetings} meetings of {args.members} members …", flush=True)
    ids = build(args.meetings, args.members)
    total = len(ids)
    queue = f"fanout-{uuid.uuid4().hex[:8]}"
    env = {"NOTIFY_CHANNELS": "sms", "SMS_API_URL": sms_url, "SMS_API_KEY": "key", "SMS_SECRET_KEY": "secret",
           "SMS_CALLBACK_SECRET": "", "CHIBO_ENV_FILE": "/nonexistent", "CELERY_SINGLE_QUEUE": queue}  # fmt: skip
    worker = start_worker(args, queue, env)
    try:
        # Every task on the bench's own queue, here (the batches) and in the worker (a batch's released rest).
        app.conf.task_default_queue, app.conf.task_routes = queue, {}
        for cached in ("default_queue", "queues", "router"):
            app.amqp.__dict__.pop(cached, None)
        app.amqp.flush_routes()
        from notifications.tasks import batches, deliver_messages

        time.sleep(3)  # the worker connects
        started = time.monotonic()
        # As Chibo queues them (meetings.services, the scan): batches of MESSAGE_BATCH_SIZE.
        with app.producer_or_acquire() as producer:
            for batch in batches(ids):
                deliver_messages.apply_async((batch,), producer=producer)
        # Polled by a range of ids (the rows are new and consecutive): a cheap index scan, which does not load the
        # database the workers are writing to (a 60,000-id IN list every 0.2 s halved their rate).
        waiting = Message.objects.filter(pk__gte=min(ids), pk__lte=max(ids),
                                         status__in=[Message.Status.PENDING, Message.Status.SENDING])  # fmt: skip
        finished = wait_until(lambda: not waiting.exists(), args.timeout)
        elapsed = time.monotonic() - started
    finally:
        stop(worker)
    sent = Message.objects.filter(pk__gte=min(ids), pk__lte=max(ids), status=Message.Status.SENT).count()
    # The same text twice to one phone is the same invitation twice (one member gets several meetings' invitations).
    per_phone = Counter(provider.sms_sent)
    accepted = Counter(
        Delivery.objects.filter(message_id__gte=min(ids), message_id__lte=max(ids), status="accepted").values_list(
            "message_id", flat=True
        )
    )
    duplicates = sum(n - 1 for n in per_phone.values() if n > 1) + sum(n - 1 for n in accepted.values() if n > 1)
    lost = total - sent
    per_second = sent / elapsed if elapsed else 0.0
    print(f"Chibo: {sent} of {total} invitations sent in {elapsed:.1f} s: {per_second:.0f} per second"
          f"{'' if finished else ' (timed out)'}", flush=True)  # fmt: skip

    floor_queue = f"floor-{uuid.uuid4().hex[:8]}"
    floor_worker = start_worker(args, floor_queue, {"FLOOR_BROKER_URL": settings.CELERY_BROKER_URL,
                                                   "FLOOR_QUEUE": floor_queue}, app_name="bench.floor")  # fmt: skip
    try:
        os.environ.setdefault("FLOOR_BROKER_URL", settings.CELERY_BROKER_URL)
        from bench import floor

        time.sleep(3)
        before = len(provider.requests)
        started = time.monotonic()
        with floor.app.producer_or_acquire() as producer:
            for n in range(total):
                floor.call.apply_async((sms_url, {"Phone": f"floor{n}", "RequestId": f"floor-{n}", "Content": "x"}),
                                       queue=floor_queue, producer=producer)  # fmt: skip
        wait_until(lambda: len(provider.requests) - before >= total, args.timeout)
        floor_elapsed = time.monotonic() - started
    finally:
        stop(floor_worker)
    floor_per_second = (len(provider.requests) - before) / floor_elapsed if floor_elapsed else 0.0
    ratio = per_second / floor_per_second if floor_per_second else 0.0
    print(f"Floor: {total} no-op tasks of one HTTP call each in {floor_elapsed:.1f} s: {floor_per_second:.0f} "
          f"per second", flush=True)  # fmt: skip
    print(f"Ratio {ratio:.2f} (target ≥ {TARGET_RATIO}): {'met' if ratio >= TARGET_RATIO else 'NOT met'}; "
          f"duplicates {duplicates}, lost {lost}; worker concurrency {args.concurrency}, "
          f"batches of {settings.MESSAGE_BATCH_SIZE}", flush=True)  # fmt: skip
    if not args.keep:
        clean()
    print(json.dumps({"messages": total, "per_second": round(per_second, 1),
                      "floor_per_second": round(floor_per_second, 1), "ratio": round(ratio, 3),
                      "duplicates": duplicates, "lost": lost}))  # fmt: skip


if __name__ == "__main__":
    main()
