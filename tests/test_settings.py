"""The settings' embedded default, production hardening, and the compose file agreeing with both."""

import configparser
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
    assert {name for name, service in services.items() if "profiles" not in service} == {
        "web",
        *workers,
        "beat",
        "postgres",
        "redis",
    }
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
            "pgbouncer": {"condition": "service_healthy", "required": False},  # with the scale profile only
        }
    assert {"pgdata", "media"} <= set(compose["volumes"])
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]


def interpolated(environment, values=None):
    """A service's environment as compose gives it, with `values` in its .env files: ${NAME:-default}."""
    values = values or {}

    def value(match):
        return values.get(match[1], match[2])

    return {k: re.sub(r"\$\{(\w+):-(.*)\}", value, str(v)) for k, v in environment.items()}


def test_compose_environment_agrees_with_the_settings(compose, tmp_path):
    services = compose["services"]
    postgres = services["postgres"]["environment"]
    for name in ["web", "worker", "beat"]:
        environment = interpolated(services[name]["environment"])
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
    web = interpolated(services["web"]["environment"])
    assert web["SECRET_KEY"].startswith("${SECRET_KEY:?"), "the stack must not start with a known key"
    web["SECRET_KEY"] = secrets.token_urlsafe(50)
    found = json.loads(
        run([sys.executable, "-c", PRINT_SETTINGS], clean_env(tmp_path, DJANGO_SETTINGS_MODULE="chibo.settings", **web))
    )
    assert found["engine"] == "django.db.backends.postgresql"
    assert found["eager"] is False and found["broker"].startswith("redis://redis")
    assert found["debug"] is False


PRINT_DATABASES = """
import json, django
django.setup()
from django.conf import settings
keys = ("HOST", "PORT", "NAME", "DISABLE_SERVER_SIDE_CURSORS", "ATOMIC_REQUESTS", "CONN_MAX_AGE")
found = {alias: {key: db.get(key) for key in keys} for alias, db in settings.DATABASES.items()}
found["replica_mirror"] = settings.DATABASES.get("replica", {}).get("TEST", {}).get("MIRROR")
found["routers"] = settings.DATABASE_ROUTERS
print(json.dumps(found))
"""


def test_the_scale_profile_puts_pgbouncer_and_a_streaming_replica_in_front_of_postgres(compose, tmp_path):
    services, configs = compose["services"], compose["configs"]
    assert {name for name, service in services.items() if service.get("profiles") == ["scale"]} == {
        "pgbouncer",
        "postgres-replica",
    }
    user, password = services["postgres"]["environment"]["POSTGRES_USER"], "chibo"
    database = services["postgres"]["environment"]["POSTGRES_DB"]
    # The primary lets the replica's user stream from it.
    assert "-c wal_level=replica" in services["postgres"]["command"]
    assert "-c hba_file=/etc/postgresql/pg_hba.conf" in services["postgres"]["command"]
    assert {"source": "pg_hba", "target": "/etc/postgresql/pg_hba.conf"} in services["postgres"]["configs"]
    assert f"host replication {user} all scram-sha-256" in configs["pg_hba"]["content"].splitlines()
    # The replica: a copy of the primary by pg_basebackup -R on its first start, then a hot standby of its own
    # volume, healthy once it answers in recovery.
    replica = services["postgres-replica"]
    script = replica["command"][0]
    assert re.search(rf"pg_basebackup -R -D \S+ -h postgres -p 5432 -U {user} -X stream", script), script
    assert replica["environment"]["PGPASSWORD"] == password
    assert "exec postgres -c hot_standby=on" in script
    # The primary's cell pages run without parallel workers; the replica's reports keep them (docs/scaling.md).
    assert "-c max_parallel_workers_per_gather=0" in services["postgres"]["command"]
    assert "max_parallel_workers_per_gather" not in script
    assert replica["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert "pgreplica:/var/lib/postgresql/data" in replica["volumes"] and "pgreplica" in compose["volumes"]
    assert "pg_is_in_recovery()" in " ".join(replica["healthcheck"]["test"])
    # PgBouncer in transaction mode: "chibo" on the primary, "chibo_replica" on the replica.
    pgbouncer = services["pgbouncer"]
    ini = configparser.ConfigParser()
    ini.read_string(configs["pgbouncer_ini"]["content"])
    assert ini["pgbouncer"]["pool_mode"] == "transaction"
    assert {"extra_float_digits", "options"} <= set(ini["pgbouncer"]["ignore_startup_parameters"].split(","))
    assert f'"{user}" "{password}"' in configs["pgbouncer_users"]["content"].splitlines()
    targets = {"/etc/pgbouncer/pgbouncer.ini", "/etc/pgbouncer/userlist.txt"}
    assert {mount["target"] for mount in pgbouncer["configs"]} == targets
    port = int(ini["pgbouncer"]["listen_port"])
    assert ["-p", str(port)] == pgbouncer["healthcheck"]["test"][4:6]
    assert pgbouncer["depends_on"] == {
        "postgres": {"condition": "service_healthy"},
        "postgres-replica": {"condition": "service_healthy"},
    }
    backends = {name: dict(part.split("=") for part in value.split()) for name, value in ini["databases"].items()}
    # compose.scale.env starts the profile and points web, the workers and beat at PgBouncer, the pooler on.
    lines = (BASE_DIR / "compose.scale.env").read_text().splitlines()
    values = dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))
    assert values.pop("COMPOSE_PROFILES") == "scale" and set(values) <= READ_VARIABLES
    for name in ["web", "worker", "worker-messages", "worker-pdf", "worker-reports", "beat"]:
        environment = interpolated(services[name]["environment"], values)
        assert environment["DATABASE_POOLER"] == "true"
        for variable, host in (("DATABASE_URL", "postgres"), ("DATABASE_REPLICA_URL", "postgres-replica")):
            url = urlparse(environment[variable])
            assert (url.hostname, url.port, url.username, url.password) == ("pgbouncer", port, user, password)
            assert backends[url.path[1:]] == {"host": host, "port": "5432", "dbname": database}
    # What the settings make of it: the replica's alias and its router, no server-side cursors on either.
    web = interpolated(services["web"]["environment"], values) | {"SECRET_KEY": secrets.token_urlsafe(50)}
    found = json.loads(
        run(
            [sys.executable, "-c", PRINT_DATABASES], clean_env(tmp_path, DJANGO_SETTINGS_MODULE="chibo.settings", **web)
        )
    )
    assert (found["default"]["NAME"], found["replica"]["NAME"]) == ("chibo", "chibo_replica")
    assert found["default"]["DISABLE_SERVER_SIDE_CURSORS"] and found["replica"]["DISABLE_SERVER_SIDE_CURSORS"]
    assert found["replica"]["ATOMIC_REQUESTS"] is False and found["replica"]["CONN_MAX_AGE"] == 60
    assert found["replica_mirror"] == "default" and found["routers"] == ["chibo.replica.Router"]
    # Without the file: no replica, no router, server-side cursors as Django has them.
    web = interpolated(services["web"]["environment"]) | {"SECRET_KEY": secrets.token_urlsafe(50)}
    found = json.loads(
        run(
            [sys.executable, "-c", PRINT_DATABASES], clean_env(tmp_path, DJANGO_SETTINGS_MODULE="chibo.settings", **web)
        )
    )
    assert set(found) == {"default", "replica_mirror", "routers"} and found["routers"] == []
    assert found["default"]["DISABLE_SERVER_SIDE_CURSORS"] is None


def test_the_image_serves_with_gunicorn():
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.1[1-9]", dockerfile, re.M)
    assert "gunicorn" in dockerfile and "collectstatic" in dockerfile
    # Package names are case-insensitive (uv writes them in lower case).
    requirements = (BASE_DIR / "requirements.txt").read_text().lower()
    for package in ["django==5.2.", "gunicorn==", "celery==", "redis==", "psycopg2-binary==", "weasyprint=="]:
        assert re.search(rf"^{re.escape(package)}", requirements, re.M), package
