"""`make run`'s embedded default under load: a real runserver on SQLite with the reminder loop writing beside it,
and several people logging in at once. SQLite must wait for its turn to write, never answer "database is
locked" (WAL, a busy timeout, transactions that take the write lock when they begin)."""

import http.cookiejar
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.test_settings import BASE_DIR, clean_env, run

DEMO_PASSWORD = "chibo-demo-2026"
USERS = ["bithu", "phobithu", "chiuy", "dangvien"]
LOGINS_EACH = 6  # 24 logins in all, four at a time


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_serving(port, process, log, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server stopped: {log.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail("the server did not start")


def login_loop(base, username, until, results, rounds=LOGINS_EACH):
    """Log in, open the home page and log out, `rounds` times (or until `until`, on a machine too busy): every
    step writes (session, last login)."""
    for _round in range(rounds):
        if time.monotonic() >= until:
            break
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        try:
            page = opener.open(f"{base}/accounts/login/", timeout=60).read().decode()
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
            data = urllib.parse.urlencode(
                {"csrfmiddlewaretoken": token, "username": username, "password": DEMO_PASSWORD}
            ).encode()
            response = opener.open(urllib.request.Request(f"{base}/accounts/login/", data=data,
                                                          headers={"Referer": f"{base}/accounts/login/"}),
                                   timeout=60)  # fmt: skip
            assert "/accounts/login/" not in response.geturl(), "the login was refused"
            token = next(c.value for c in jar if c.name == "csrftoken")
            opener.open(urllib.request.Request(f"{base}/accounts/logout/",
                                               data=urllib.parse.urlencode({"csrfmiddlewaretoken": token}).encode(),
                                               headers={"Referer": f"{base}/"}), timeout=60)  # fmt: skip
            results.append("ok")
        except urllib.error.HTTPError as exc:
            results.append(f"HTTP {exc.code}")
        except Exception as exc:  # the count of failures is the point: keep going
            results.append(repr(exc))


def test_make_runs_server_holds_concurrent_logins_beside_the_reminder_loop(tmp_path):
    env = clean_env(tmp_path, DEBUG="true", DJANGO_SETTINGS_MODULE="chibo.settings")
    run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env)
    run([sys.executable, "manage.py", "seed_demo"], env)
    port = free_port()
    # Logs go to files: a pipe nobody reads fills up and stops the server in the middle of a request.
    server_log, reminders_log = tmp_path / "server.log", tmp_path / "reminders.log"
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=BASE_DIR, env=env, stdout=server_log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    # The loop `make run` starts, at its shortest interval: a scan that writes every second.
    reminders = subprocess.Popen(
        [sys.executable, "manage.py", "run_reminders", "--interval", "1"],
        cwd=BASE_DIR, env=env, stdout=reminders_log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        wait_until_serving(port, server, server_log)
        # Each login does its rounds side by side with the others and the loop; the deadline only stops a machine
        # so busy that the rounds would never end (the count below then tells).
        results, until = [], time.monotonic() + 180
        threads = [
            threading.Thread(target=login_loop, args=(f"http://127.0.0.1:{port}", user, until, results))
            for user in USERS
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=240)
        assert reminders.poll() is None, reminders_log.read_text()[-3000:]
    finally:
        for process in (reminders, server):
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
    failures = [r for r in results if r != "ok"]
    assert len(results) == len(USERS) * LOGINS_EACH, results
    assert failures == [], f"{len(failures)} of {len(results)} logins failed: {sorted(set(failures))}"
    # The loop keeps going after a failed scan; none may have failed.
    assert "database is locked" not in reminders_log.read_text() + server_log.read_text()
    assert "run_reminders: the scan failed" not in reminders_log.read_text()
