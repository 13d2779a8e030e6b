#!/usr/bin/env python3
"""Run a command (the test suite) against real PostgreSQL and Redis, never a stand-in.

For each service, in this order: the URL already in the environment (DATABASE_URL, REDIS_URL); the
service at its default local address; a throwaway server started from local binaries (initdb/pg_ctl,
redis-server) in a temporary folder and stopped afterwards. If none of these is there, it stops and
says exactly what to install.
"""

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

# A database name of this run's own, so that two runs on one machine (a developer's and CI's) never share
# the test databases pytest-django creates from it (test_<name>_gw0, …).
LOCAL_DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/chibo_{os.getpid()}"
LOCAL_REDIS_URL = "redis://127.0.0.1:6379/9"


def say(message):
    print(f"[with_services] {message}", file=sys.stderr, flush=True)


def die(message):
    say(message)
    sys.exit(2)


def reachable(host, port):
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def find(binary):
    found = shutil.which(binary)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{binary}"), key=lambda p: int(p.split("/")[4]))
    return candidates[-1] if candidates else None


def as_service_user(command):
    """PostgreSQL refuses to run as root: run it as the 'postgres' user when we are root."""
    if os.geteuid() != 0:
        return command
    runuser = shutil.which("runuser")
    if not runuser:
        die("PostgreSQL cannot run as root and 'runuser' is missing: run the tests as another user.")
    return [runuser, "-u", "postgres", "--", *command]


def wait_for(port, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if reachable("127.0.0.1", port):
            return
        time.sleep(0.2)
    die(f"A throwaway server did not start on port {port} within {seconds} s.")


def postgres(cleanups):
    url = os.environ.get("DATABASE_URL")
    if url:
        if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
            die(f"DATABASE_URL must point at PostgreSQL for the tests (it is {url.split(':')[0]}://…).")
        say("PostgreSQL: using DATABASE_URL")
        return url
    if reachable("127.0.0.1", 5432):
        say(f"PostgreSQL: using the local server ({LOCAL_DATABASE_URL})")
        return LOCAL_DATABASE_URL
    initdb, pg_ctl = find("initdb"), find("pg_ctl")
    if not (initdb and pg_ctl):
        die(
            "The tests need PostgreSQL and none was found. Either set DATABASE_URL=postgres://…, "
            "start a server on 127.0.0.1:5432, or install one: 'sudo apt-get install postgresql' "
            "(Debian/Ubuntu) or 'brew install postgresql' (macOS)."
        )
    folder = tempfile.mkdtemp(prefix="chibo-pg-")
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    data, port = os.path.join(folder, "data"), free_port()
    say(f"PostgreSQL: starting a throwaway server on port {port}")
    subprocess.run(as_service_user([initdb, "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8"]),
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    log = os.path.join(folder, "server.log")
    subprocess.run(as_service_user([pg_ctl, "-D", data, "-o", options, "-l", log, "-w", "start"]),
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    cleanups.append(lambda: subprocess.run(as_service_user([pg_ctl, "-D", data, "-m", "immediate", "stop"]),
                                           stdout=subprocess.DEVNULL))  # fmt: skip
    cleanups.append(lambda: shutil.rmtree(folder, ignore_errors=True))
    return f"postgres://postgres@127.0.0.1:{port}/chibo_{os.getpid()}"


def streaming_pair(cleanups):
    """A throwaway primary and its streaming replica (pg_basebackup -R) for tests/test_replica.py: their URLs
    as CHIBO_TEST_PRIMARY_URL and CHIBO_TEST_REPLICA_URL, or nothing without the binaries (the test is then
    skipped, and fails under CI). Its own pair: a system server's pg_hba refuses replication connections.
    A few seconds to start, initdb most of them."""
    if os.environ.get("CHIBO_TEST_PRIMARY_URL") and os.environ.get("CHIBO_TEST_REPLICA_URL"):
        say("Streaming pair: using CHIBO_TEST_PRIMARY_URL and CHIBO_TEST_REPLICA_URL")
        return {}
    initdb, pg_ctl, basebackup = find("initdb"), find("pg_ctl"), find("pg_basebackup")
    if not (initdb and pg_ctl and basebackup):
        say("Streaming pair: initdb, pg_ctl or pg_basebackup not found; the replica test is skipped")
        return {}
    started = time.monotonic()
    folder = tempfile.mkdtemp(prefix="chibo-pair-")
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    cleanups.append(lambda: shutil.rmtree(folder, ignore_errors=True))
    primary, replica = os.path.join(folder, "primary"), os.path.join(folder, "replica")
    primary_port, replica_port = free_port(), free_port()

    def start(data, port):
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c hot_standby=on"
        log = f"{data}.log"
        subprocess.run(as_service_user([pg_ctl, "-D", data, "-o", options, "-l", log, "-w", "start"]),
                       check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        cleanups.append(lambda: subprocess.run(as_service_user([pg_ctl, "-D", data, "-m", "immediate", "stop"]),
                                               stdout=subprocess.DEVNULL))  # fmt: skip

    # initdb's own pg_hba.conf trusts local replication connections, and wal_level is "replica" by default.
    # Thrown away at exit: nothing is synced to disk (--no-sync, fsync=off).
    subprocess.run(as_service_user([initdb, "-D", primary, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                                    "--no-sync"]), check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    start(primary, primary_port)
    # -R writes standby.signal and primary_conninfo: the copy starts as a replica streaming from the primary.
    subprocess.run(as_service_user([basebackup, "-R", "-D", replica, "-h", "127.0.0.1", "-p", str(primary_port),
                                    "-U", "postgres", "-X", "stream", "--no-sync"]), check=True)  # fmt: skip
    start(replica, replica_port)
    say(f"Streaming pair: primary on port {primary_port}, replica on {replica_port}, started in "
        f"{time.monotonic() - started:.1f} s")  # fmt: skip
    return {
        "CHIBO_TEST_PRIMARY_URL": f"postgres://postgres@127.0.0.1:{primary_port}/postgres",
        "CHIBO_TEST_REPLICA_URL": f"postgres://postgres@127.0.0.1:{replica_port}/postgres",
    }


def redis(cleanups):
    url = os.environ.get("REDIS_URL")
    if url:
        say("Redis: using REDIS_URL")
        return url
    if reachable("127.0.0.1", 6379):
        say(f"Redis: using the local server ({LOCAL_REDIS_URL})")
        return LOCAL_REDIS_URL
    server = shutil.which("redis-server")
    if not server:
        die(
            "The tests need Redis and none was found. Either set REDIS_URL=redis://…, start a server on "
            "127.0.0.1:6379, or install one: 'sudo apt-get install redis-server' (Debian/Ubuntu) or "
            "'brew install redis' (macOS)."
        )
    port = free_port()
    say(f"Redis: starting a throwaway server on port {port}")
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    cleanups.append(process.terminate)
    wait_for(port)
    return f"redis://127.0.0.1:{port}/0"


def main(command):
    if not command:
        die("usage: with_services.py COMMAND [ARG …]")
    cleanups = []
    try:
        env = {**os.environ, "DATABASE_URL": postgres(cleanups), "REDIS_URL": redis(cleanups)}
        env.update(streaming_pair(cleanups))
        return subprocess.call(command, env=env)
    finally:
        for cleanup in reversed(cleanups):
            cleanup()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
