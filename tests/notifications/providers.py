"""The SMS and Zalo providers, played by a real HTTP server on 127.0.0.1 in the test process.

The SMS provider takes the common Vietnamese JSON shape and refuses a second message with a `RequestId` it has
seen (code 124). The Zalo side renews tokens (a new refresh token each time, the old one refused) and sends
template messages, refusing an expired token (-124), numbers without Zalo (-118) and unknown templates (-1123).
What each phone number should meet is scripted in `script`; every request is kept in `requests`.
"""

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest


class Provider:
    def __init__(self):
        self.requests = []  # (path, headers, body as parsed)
        self.script = {}  # phone (without +) → "5xx" | "slow" | "refuse" | "no_zalo" | "html"
        self.sms_request_ids = {}
        self.sms_sent = []  # what was really sent: (phone, content)
        self.zalo_sent = []  # (phone, template_id, template_data)
        self.zalo_msg_ids = []  # the msg_id Zalo answered for each
        self.access_token = "at-0"
        self.refresh_token = "rt-0"
        self.renewals = 0
        self.templates = {"t-invitation", "t-reminder", "t-nudge", "t-task_due", "t-code"}
        self.slow_seconds = 3
        self.sms_delay = 0  # seconds every SMS takes, to spread a fan-out over time
        self.lock = threading.Lock()
        self.server = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    # --- the SMS API ---
    def sms(self, body):
        phone = str(body.get("Phone", ""))
        behaviour = self.script.get(phone)
        if behaviour == "5xx":
            return 503, {"CodeResult": "99"}
        if behaviour == "slow":
            time.sleep(self.slow_seconds)
        if self.sms_delay:
            time.sleep(self.sms_delay)
        if behaviour == "html":
            return 200, "<html>maintenance</html>"
        if behaviour == "refuse" or not phone:
            return 200, {"CodeResult": "118", "ErrorMessage": "Phone invalid"}
        with self.lock:
            request_id = body.get("RequestId")
            if request_id in self.sms_request_ids:
                return 200, {"CodeResult": "124", "ErrorMessage": "Duplicate RequestId"}
            sms_id = uuid.uuid4().hex
            self.sms_request_ids[request_id] = sms_id
            self.sms_sent.append((phone, body.get("Content")))
        return 200, {"CodeResult": "100", "SMSID": sms_id, "CountRegenerate": 0}

    # --- Zalo ---
    def oauth(self, form, headers):
        with self.lock:
            if form.get("refresh_token") != self.refresh_token or headers.get("secret_key") != "zalo-secret":
                return 200, {"error": -14014, "error_description": "Invalid refresh token"}
            self.renewals += 1
            self.access_token = f"at-{self.renewals}"
            self.refresh_token = f"rt-{self.renewals}"
            return 200, {"access_token": self.access_token, "refresh_token": self.refresh_token, "expires_in": "90000"}

    def zalo(self, body, headers):
        phone = str(body.get("phone", ""))
        behaviour = self.script.get(phone)
        if behaviour == "5xx":
            return 502, {"error": -500}
        if headers.get("access_token") != self.access_token:
            return 200, {"error": -124, "message": "Access token is invalid"}
        if behaviour == "no_zalo":
            return 200, {"error": -118, "message": "Zalo account not existed"}
        if body.get("template_id") not in self.templates:
            return 200, {"error": -1123, "message": "Template not found"}
        msg_id = uuid.uuid4().hex
        with self.lock:
            self.zalo_sent.append((phone, body.get("template_id"), body.get("template_data")))
            self.zalo_msg_ids.append(msg_id)
        if behaviour == "slow":  # sent, and the answer comes too late
            time.sleep(self.slow_seconds)
        return 200, {"error": 0, "message": "Success", "data": {"msg_id": msg_id, "sent_time": "1"}}


def _handler(provider):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            if len(raw) < length:  # the caller died mid-request (a worker killed): nothing reached the provider
                self.close_connection = True
                return
            headers = {key.lower(): value for key, value in self.headers.items()}
            if headers.get("content-type", "").startswith("application/json"):
                body = json.loads(raw or b"{}")
            else:
                body = {key: values[0] for key, values in parse_qs(raw.decode()).items()}
            provider.requests.append((self.path, headers, body))
            if self.path == "/sms":
                status, answer = provider.sms(body)
            elif self.path == "/zalo/oauth":
                status, answer = provider.oauth(body, headers)
            elif self.path == "/zalo/message":
                status, answer = provider.zalo(body, headers)
            else:
                status, answer = 404, {"error": "no such path"}
            data = answer.encode() if isinstance(answer, str) else json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html" if isinstance(answer, str) else "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@pytest.fixture
def provider(settings):
    """A started provider, and the settings that point Chibo at it."""
    played = Provider()
    played.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(played))
    thread = threading.Thread(target=played.server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_API_URL = f"{played.url}/sms"
    settings.SMS_API_KEY, settings.SMS_SECRET_KEY, settings.SMS_BRANDNAME = "key", "secret", "CHIBO"
    settings.ZALO_API_URL = f"{played.url}/zalo/message"
    settings.ZALO_OAUTH_URL = f"{played.url}/zalo/oauth"
    settings.ZALO_APP_ID, settings.ZALO_SECRET_KEY, settings.ZALO_REFRESH_TOKEN = "app", "zalo-secret", "rt-0"
    settings.ZALO_TEMPLATES = {"invitation": "t-invitation", "reminder": "t-reminder", "nudge": "t-nudge",
                               "task_due": "t-task_due", "phone_code": "t-code"}  # fmt: skip
    settings.PROVIDER_TIMEOUT_SECONDS = 1
    yield played
    played.server.shutdown()
    played.server.server_close()
