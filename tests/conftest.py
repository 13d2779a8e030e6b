"""Standard fixtures: an organisation tree with two communes, and one login per role.

province
├── commune ── cell (secretary, member) and sibling_cell
└── other_commune ── other_cell (outsider)
"""

import time
import uuid
from datetime import date

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from members import services
from members.models import Grant, Member, OrgUnit, User
from tests.notifications.providers import provider  # noqa: F401 (the SMS and Zalo providers, for every test)

PASSWORD = "a-Strong-password-42"


def pytest_addoption(parser):
    # `--today=2027-07-01` runs the suite as if it were that day, 09:00 in Vietnam, so a test that quietly
    # depends on the real date fails now rather than on the day CI reaches it. Started in pytest_configure.
    parser.addoption("--today", type=date.fromisoformat, metavar="YYYY-MM-DD", help="pretend today is this date")


def pytest_configure(config):
    """The cache gets a Redis database of each test process's own. Clearing the cache empties its whole
    database, and the Celery broker's database (REDIS_URL's) must never be emptied under a waiting worker."""
    import os
    from urllib.parse import urlsplit, urlunsplit

    if today := config.getoption("today"):
        # Time keeps ticking from there; a test's own time_machine.travel stacks on top and wins, and
        # subprocesses (tests/test_settings.py and the like) still see the real date.
        travel = time_machine.travel(f"{today} 09:00 +0700", tick=True)
        travel.start()
        config.add_cleanup(travel.stop)

    if not settings.REDIS_URL:
        return
    # Each xdist worker flushes its own cache database: the ones after REDIS_URL's (its own is the broker's), so
    # that two suites given different REDIS_URL databases never flush each other's.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    index = int(worker[2:]) if worker[2:].isdigit() else 0
    parts = urlsplit(settings.REDIS_URL)
    base = int(parts.path.strip("/") or 0)
    location = urlunsplit(parts._replace(path=f"/{base + 1 + index}"))
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": location}}


def pytest_sessionstart(session):
    # The suite runs on the real stack only: never silently on SQLite or without Redis.
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine != "django.db.backends.postgresql":
        pytest.exit("The tests need PostgreSQL: run `make test`, or set DATABASE_URL=postgres://…", returncode=2)
    if not settings.REDIS_URL:
        pytest.exit("The tests need Redis: run `make test`, or set REDIS_URL=redis://…", returncode=2)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    # The manifest storage needs collectstatic; tests serve static files straight from static/.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # The test client speaks plain HTTP; production's HTTPS redirect is tested in test_settings.py.
    settings.SECURE_SSL_REDIRECT = False
    # Uploads go to a folder of this test's own, never into var/.
    settings.MEDIA_ROOT = tmp_path / "media"
    # Hashing passwords slowly is the point in production and a waste of minutes here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_run_in_process():
    """Tasks run where they are sent, so a view test sees their effect; tests marked `worker`
    run them through a real Celery worker and Redis instead."""
    from chibo.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield


def unit(code, kind, parent=None, name=None):
    return OrgUnit.objects.create(code=code, kind=kind, parent=parent, name=name or code, place_name="Tân Hưng")


@pytest.fixture
def province(db):
    return unit("P", OrgUnit.Kind.PROVINCIAL, name="Đảng bộ tỉnh Thử Nghiệm")


@pytest.fixture
def commune(province):
    return unit("P.C1", OrgUnit.Kind.COMMUNE, province, "Đảng bộ xã Tân Hưng")


@pytest.fixture
def cell(commune):
    return unit("P.C1.1", OrgUnit.Kind.CELL, commune, "Chi bộ thôn Đông")


@pytest.fixture
def sibling_cell(commune):
    return unit("P.C1.2", OrgUnit.Kind.CELL, commune, "Chi bộ thôn Đoài")


@pytest.fixture
def other_commune(province):
    return unit("P.C2", OrgUnit.Kind.COMMUNE, province, "Đảng bộ phường Phố Hiến")


@pytest.fixture
def other_cell(other_commune):
    return unit("P.C2.1", OrgUnit.Kind.CELL, other_commune, "Chi bộ khu phố 1")


@pytest.fixture
def make_member(db):
    counter = iter(range(1, 10_000))

    def make(cell, full_name=None, **fields):
        number = next(counter)
        defaults = {
            "full_name": full_name or f"Nguyễn Văn Thành {number}",
            "gender": Member.Gender.MALE,
            "birth_date": date(1970, 1, 1),
            "admitted_on": date(2000, 5, 19),
            "official_on": date(2001, 5, 19),
            "status_since": date(2000, 5, 19),
        }
        defaults.update(fields)
        return services.create_member(Member(cell=cell, **defaults))

    return make


def make_user(username, **fields):
    user = User.objects.create_user(username=username, email=f"{username}@example.vn", password=PASSWORD, **fields)
    return user


@pytest.fixture
def secretary(cell, make_member):
    user = make_user("secretary")
    make_member(cell, "Trần Văn Bí", position=Member.Position.SECRETARY, user=user, email=user.email)
    return user


@pytest.fixture
def member(cell, make_member):
    user = make_user("member")
    make_member(cell, "Lê Thị Hoa", gender=Member.Gender.FEMALE, user=user, email=user.email)
    return user


@pytest.fixture
def outsider(other_cell, make_member):
    """A member of a cell in another commune."""
    user = make_user("outsider")
    make_member(other_cell, "Phạm Văn Ngoài", position=Member.Position.SECRETARY, user=user)
    return user


@pytest.fixture
def viewer_other_branch(other_commune):
    user = make_user("viewer_other")
    Grant.objects.create(user=user, unit=other_commune, role=Grant.Role.VIEWER)
    return user


@pytest.fixture
def commune_viewer(commune):
    user = make_user("commune_viewer")
    Grant.objects.create(user=user, unit=commune, role=Grant.Role.VIEWER)
    return user


@pytest.fixture
def commune_admin(commune):
    user = make_user("commune_admin")
    Grant.objects.create(user=user, unit=commune, role=Grant.Role.ADMIN)
    return user


@pytest.fixture
def province_viewer(province):
    user = make_user("province_viewer")
    Grant.objects.create(user=user, unit=province, role=Grant.Role.VIEWER)
    return user


def use_queue(app, queue=None):
    """Send every task to `queue` from now on (a test's worker takes them all); None: back to the settings'
    queues by kind. Celery caches its routing once built, so it is dropped here."""
    app.conf.task_default_queue = queue or settings.CELERY_TASK_DEFAULT_QUEUE
    app.conf.task_routes = {} if queue else settings.CELERY_TASK_ROUTES
    for cached in ("default_queue", "queues", "router"):
        app.amqp.__dict__.pop(cached, None)
    app.amqp.flush_routes()


@pytest.fixture
def celery_worker(transactional_db, settings):
    """A real worker thread on a queue of this test's own: parallel test processes share one Redis, and a
    worker stopped by an earlier test must not take this test's messages."""
    from chibo.celery import app

    queue = f"chibo-test-{uuid.uuid4().hex}"
    use_queue(app, queue)
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False, queues=[queue]) as worker:
            yield worker
    finally:
        use_queue(app)


def wait_for(condition, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False
