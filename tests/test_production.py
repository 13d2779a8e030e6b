"""Production for real: DEBUG off, collected and hashed static files, gunicorn behind (what a reverse proxy
sends), from the runtime requirements alone when `make test` provides them."""

import http.cookiejar
import os
import re
import secrets
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

from tests.test_embedded_default import DEMO_PASSWORD, free_port, wait_until_serving
from tests.test_settings import BASE_DIR, clean_env, run

# `make test` names the virtualenv that holds requirements.txt alone: production has nothing more.
PYTHON = os.environ.get("CHIBO_RUNTIME_PYTHON") or sys.executable
VENDORED = BASE_DIR / "static" / "vendor"


class Client:
    """A browser behind the TLS-terminating proxy: the proxy speaks HTTPS to it and tells gunicorn so."""

    def __init__(self, base):
        self.base = base
        # The cookies are Secure: the browser sends them because, to it, the site is HTTPS.
        jar = http.cookiejar.CookieJar(http.cookiejar.DefaultCookiePolicy(secure_protocols=("https", "http")))
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        self.opener.addheaders = [("X-Forwarded-Proto", "https")]

    def get(self, path):
        try:
            response = self.opener.open(self.base + path, timeout=60)
        except urllib.error.HTTPError as exc:
            raise AssertionError(f"GET {path}: HTTP {exc.code}\n{exc.read().decode()[:2000]}") from exc
        return response, response.read()

    def post(self, path, data):
        secure_origin = self.base.replace("http://", "https://")
        request = urllib.request.Request(
            self.base + path,
            data=urllib.parse.urlencode(data).encode(),
            headers={"Referer": secure_origin + path, "Origin": secure_origin},
        )
        try:
            response = self.opener.open(request, timeout=60)
        except urllib.error.HTTPError as exc:
            raise AssertionError(f"POST {path}: HTTP {exc.code}\n{exc.read().decode()[:2000]}") from exc
        return response, response.read()


def hashed(page, path_pattern):
    """The hashed name of a static file the page links to (the manifest storage's `name.0123abcd4567.ext`)."""
    stem, ext = path_pattern.rsplit(".", 1)
    found = re.search(rf'"(/static/{re.escape(stem)}\.[0-9a-f]{{12}}\.{ext})"', page)
    assert found, f"no hashed {path_pattern} in the page"
    return found.group(1)


def test_every_source_map_a_vendored_file_names_is_shipped():
    # The manifest storage follows these references: a missing map fails collectstatic, hence the build.
    for path in VENDORED.rglob("*"):
        if path.suffix not in (".js", ".css"):
            continue
        for name in re.findall(r"sourceMappingURL=([^\s*]+)", path.read_text(errors="replace")):
            assert (path.parent / name).is_file(), f"{path.relative_to(BASE_DIR)} names {name}, not shipped"


def test_the_image_leaves_out_local_state_and_secrets():
    # `COPY . .` would otherwise bake the developer's .env, var/secret_key and SQLite file into the image.
    ignored = (BASE_DIR / ".dockerignore").read_text().split()
    for path in [".env", "var", ".venv", ".venv-runtime", ".git"]:
        assert path in ignored, path


def test_production_collects_static_files_and_serves_pages_with_gunicorn(tmp_path):
    env = clean_env(
        tmp_path,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        # The reverse proxy terminates TLS and says so in X-Forwarded-Proto (the client sends it below).
        BEHIND_TLS_PROXY="true",
    )
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)
    run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env)
    run([PYTHON, "manage.py", "seed_demo"], env)
    port = free_port()
    # Logs go to a file: a pipe nobody reads fills up and stops the server in the middle of a request.
    log = tmp_path / "gunicorn.log"
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "chibo.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--access-logfile", "-"],
        cwd=BASE_DIR, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        wait_until_serving(port, server, log)
        client = Client(f"http://127.0.0.1:{port}")

        response, body = client.get("/accounts/login/")
        login_page = body.decode()
        assert response.status == 200
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        for css in ["css/chibo.css", "vendor/bootstrap-5.3.9/bootstrap.min.css"]:
            response, body = client.get(hashed(login_page, css))
            assert response.status == 200 and response.headers["Content-Type"].startswith("text/css"), css
            assert len(body) > 500, css

        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page).group(1)
        response, body = client.post(
            "/accounts/login/", {"csrfmiddlewaretoken": token, "username": "tinhuy", "password": DEMO_PASSWORD}
        )
        home = body.decode()
        assert response.status == 200 and urllib.parse.urlsplit(response.geturl()).path == "/", response.geturl()
        assert 'action="/accounts/logout/"' in home  # logged in

        dashboard = re.search(r'href="(/units/\d+/dashboard/)"', home).group(1)
        response, body = client.get(dashboard)
        page = body.decode()
        assert response.status == 200
        assert 'data-chart="0"' in page
        scripts = {}
        for js in ["vendor/chart.js-4.6.1/chart.umd.min.js", "js/dashboard.js"]:
            response, scripts[js] = client.get(hashed(page, js))
            assert response.status == 200 and "javascript" in response.headers["Content-Type"], js
        assert b"window.Chart=" in scripts["vendor/chart.js-4.6.1/chart.umd.min.js"]
        assert b"trend-data" in scripts["js/dashboard.js"]
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    output = log.read_text()
    assert "Traceback" not in output, output[-3000:]
    assert '" 500 ' not in output, output[-3000:]
