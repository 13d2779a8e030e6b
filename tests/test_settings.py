"""The settings' embedded default, production hardening, and the compose file agreeing with both."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml
from django.conf import settings

BASE_DIR = Path(__file__).resolve().parent.parent
SETTINGS = (BASE_DIR / "chibo" / "settings.py").read_text()
READ_VARIABLES = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', SETTINGS))
DOCUMENTED = set(re.findall(r"^(?:# )?([A-Z_]+)=", (BASE_DIR / ".env.example").read_text(), re.M))


def clean_env(tmp_path, **extra):
    """The environment of a fresh machine: none of Chibo's variables, no .env file."""
    ignored = READ_VARIABLES | {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in ignored}
    env.update(CHIBO_ENV_FILE=str(tmp_path / "no.env"), CHIBO_VAR_DIR=str(tmp_path / "var"), **extra)
    return env


def run(args, env, timeout=120):
    result = subprocess.run(args, env=env, cwd=BASE_DIR, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
from chibo.celery import app
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "name": str(settings.DATABASES["default"]["NAME"]),
    "cache": settings.CACHES["default"]["BACKEND"],
    "eager": app.conf.task_always_eager,
    "broker": app.conf.broker_url,
    "language": settings.LANGUAGE_CODE,
    "time_zone": settings.TIME_ZONE,
    "debug": settings.DEBUG,
}))
"""


def test_with_nothing_configured_chibo_runs_on_sqlite_and_in_process_tasks(tmp_path):
    env = clean_env(tmp_path, DJANGO_SETTINGS_MODULE="chibo.settings")
    found = json.loads(run([sys.executable, "-c", PRINT_SETTINGS], env))
    assert found["engine"] == "django.db.backends.sqlite3"
    assert found["name"] == str(tmp_path / "var" / "chibo.sqlite3")
    assert found["cache"].endswith("LocMemCache")
    assert found["eager"] is True and found["broker"].startswith("memory")
    assert (found["language"], found["time_zone"], found["debug"]) == ("vi", "Asia/Ho_Chi_Minh", False)
    # A secret key of this installation was made and kept, not a known default.
    assert len((tmp_path / "var" / "secret_key").read_text()) >= 50


def test_the_embedded_default_migrates_and_loads_the_demo_twice(tmp_path):
    env = clean_env(tmp_path, DEBUG="true")
    manage = [sys.executable, "manage.py"]
    run([*manage, "migrate", "--noinput", "-v0"], env)
    first = run([*manage, "seed_demo"], env)
    run([*manage, "seed_demo"], env)
    counts = run([*manage, "shell", "-c", "from members.models import *; print(Member.objects.count(), "
                  "OrgUnit.objects.count(), User.objects.count())"], env)  # fmt: skip
    members, units, users = map(int, counts.strip().splitlines()[-1].split())
    assert (units, users) == (9, 7)
    assert 60 <= members <= 120  # created once, not twice
    for login in ["admin", "tinhuy", "xa.tanhung", "bithu", "phobithu", "chiuy", "dangvien"]:
        assert login in first


def test_with_urls_configured_chibo_runs_on_postgresql_and_redis(tmp_path):
    env = clean_env(
        tmp_path,
        DJANGO_SETTINGS_MODULE="chibo.settings",
        DATABASE_URL="postgres://chibo:secret@db.internal:5432/chibo",
        REDIS_URL="redis://cache.internal:6379/0",
    )
    found = json.loads(run([sys.executable, "-c", PRINT_SETTINGS], env))
    assert found["engine"] == "django.db.backends.postgresql"
    assert found["cache"].endswith("RedisCache")
    assert found["eager"] is False and found["broker"] == "redis://cache.internal:6379/0"


def test_production_settings_pass_the_deployment_check(tmp_path):
    env = clean_env(
        tmp_path,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="chibo.example.vn",
        DATABASE_URL="postgres://chibo:secret@127.0.0.1:5432/chibo",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    output = run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert "System check identified no issues" in output


def test_every_variable_the_settings_read_is_documented():
    assert not READ_VARIABLES - DOCUMENTED, "read by the settings but missing from .env.example"
    assert not DOCUMENTED - READ_VARIABLES, "in .env.example but never read"


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())


def test_compose_starts_the_whole_stack_with_health_checks(compose):
    services = compose["services"]
    workers = ["worker", "worker-messages", "worker-pdf", "worker-reports"]
    assert set(services) == {"web", *workers, "beat", "postgres", "redis"}
    assert "gunicorn chibo.wsgi:application" in services["web"]["command"]
    assert "migrate" in services["web"]["command"]
    assert services["beat"]["command"].startswith("celery -A chibo beat")
    for name in ["web", *workers, "postgres", "redis"]:
        assert services[name]["healthcheck"]["test"], name
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    # One worker per queue, and every queue a task is routed to has its worker.
    consumed = set()
    for name in workers:
        command = services[name]["command"].split()
        assert command[:4] == ["celery", "-A", "chibo", "worker"], name
        consumed |= set(command[command.index("-Q") + 1].split(","))
        node = command[command.index("-n") + 1].split("@")[0]
        assert f"-d {node}@" in " ".join(services[name]["healthcheck"]["test"]), name  # pings itself
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()} | {"default"}
    assert routed == set(settings.CELERY_QUEUES_BY_KIND) and routed | {"celery"} == consumed
    for name in ["web", *workers, "beat"]:
        assert services[name]["depends_on"] == {
            "postgres": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
        }
    assert {"pgdata", "media"} <= set(compose["volumes"])
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]


def test_compose_environment_agrees_with_the_settings(compose, tmp_path):
    services = compose["services"]
    postgres = services["postgres"]["environment"]
    for name in ["web", "worker", "beat"]:
        environment = services[name]["environment"]
        assert set(environment) <= READ_VARIABLES, set(environment) - READ_VARIABLES
        database = urlparse(environment["DATABASE_URL"])
        assert (database.hostname, database.username, database.password, database.path) == (
            "postgres",
            postgres["POSTGRES_USER"],
            postgres["POSTGRES_PASSWORD"],
            "/" + postgres["POSTGRES_DB"],
        )
        assert urlparse(environment["REDIS_URL"]).hostname == "redis"
    # The web service's environment, given to the settings, selects PostgreSQL, Redis and a real broker.
    # Interpolate as compose would with an .env holding only SECRET_KEY.
    web = {k: re.sub(r"\$\{\w+:-(.*)\}", r"\1", str(v)) for k, v in services["web"]["environment"].items()}
    assert web["SECRET_KEY"].startswith("${SECRET_KEY:?"), "the stack must not start with a known key"
    web["SECRET_KEY"] = secrets.token_urlsafe(50)
    found = json.loads(
        run([sys.executable, "-c", PRINT_SETTINGS], clean_env(tmp_path, DJANGO_SETTINGS_MODULE="chibo.settings", **web))
    )
    assert found["engine"] == "django.db.backends.postgresql"
    assert found["eager"] is False and found["broker"].startswith("redis://redis")
    assert found["debug"] is False


def test_the_image_serves_with_gunicorn():
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.1[1-9]", dockerfile, re.M)
    assert "gunicorn" in dockerfile and "collectstatic" in dockerfile
    # Package names are case-insensitive (uv writes them in lower case).
    requirements = (BASE_DIR / "requirements.txt").read_text().lower()
    for package in ["django==5.2.", "gunicorn==", "celery==", "redis==", "psycopg2-binary==", "weasyprint=="]:
        assert re.search(rf"^{re.escape(package)}", requirements, re.M), package
