"""Chibo through a real PgBouncer in transaction mode (pgbouncer_check.py): this test starts PgBouncer in front
of the suite's PostgreSQL, with two server connections for six browsers at once."""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2
import pytest

from .conftest import missing, run_inner, with_database


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def as_postgres(command):
    """PgBouncer refuses to run as root: run it as the 'postgres' user then (scripts/with_services.py does the
    same for PostgreSQL)."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def reachable(port):
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def pgbouncer():
    """PgBouncer in transaction mode in front of DATABASE_URL's server; its URL for `name`, as a function."""
    binary = shutil.which("pgbouncer") or shutil.which("pgbouncer", path="/usr/sbin")
    if binary is None:
        missing("pgbouncer is not installed: apt-get install pgbouncer (or run .ci/run)")
    # A folder of its own under /tmp: pytest's folder is closed to the 'postgres' user.
    folder = Path(tempfile.mkdtemp(prefix="chibo-pgbouncer-"))
    server = urlsplit(os.environ["DATABASE_URL"])
    port = free_port()
    user = server.username or "postgres"
    (folder / "users.txt").write_text(f'"{user}" "{server.password or ""}"\n')
    (folder / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"* = host={server.hostname} port={server.port or 5432}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {folder / 'users.txt'}\nadmin_users = {user}\n"
        "pool_mode = transaction\nmax_client_conn = 100\ndefault_pool_size = 2\n"
        # Django's psycopg2 sends extra_float_digits; the pool passes neither it nor options on.
        "ignore_startup_parameters = extra_float_digits,options\n"
        f"logfile = {folder / 'pgbouncer.log'}\n"
    )
    if os.geteuid() == 0:
        for path in [folder, *folder.iterdir()]:
            shutil.chown(path, "postgres")
    # Quiet (-q): it logs to its file only; a pipe nobody reads would fill up and stop it mid-run.
    process = subprocess.Popen(as_postgres([binary, "-q", str(folder / "pgbouncer.ini")]))
    try:
        deadline = time.monotonic() + 10
        while not reachable(port):
            assert process.poll() is None and time.monotonic() < deadline, (folder / "pgbouncer.log").read_text()
            time.sleep(0.1)
        yield lambda name: f"postgres://{user}@127.0.0.1:{port}/{name}"
    finally:
        process.terminate()
        process.wait(10)
        shutil.rmtree(folder, ignore_errors=True)


def test_chibo_runs_through_pgbouncer_in_transaction_mode(pgbouncer):
    name = f"chibo_pgbouncer_{os.getpid()}"
    env = {"DATABASE_URL": pgbouncer(name), "DATABASE_POOLER": "true"}
    # Migrated through PgBouncer, as the compose file's web service does; kept at the end (--reuse-db) and
    # dropped here instead, straight on the server: PgBouncer still holds its server connections to it.
    try:
        run_inner("pgbouncer_check.py", env, "--reuse-db", "--create-db", passed=1)
    finally:
        admin = psycopg2.connect(with_database(os.environ["DATABASE_URL"], "postgres"))
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "test_{name}" WITH (FORCE)')
        admin.close()
