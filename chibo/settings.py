"""Chibo's one settings module, driven by the environment (every variable is in .env.example).

With nothing configured Chibo runs on an embedded default: SQLite under var/ and Celery tasks run
in-process, so a newcomer needs nothing but Python. DATABASE_URL and REDIS_URL switch to the real
stack (PostgreSQL, Redis as cache and Celery broker).
"""

import secrets
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
ENV_FILE = Path(env.str("CHIBO_ENV_FILE", default=str(BASE_DIR / ".env")))
if ENV_FILE.is_file():
    env.read_env(ENV_FILE)

VAR_DIR = Path(env("CHIBO_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=False)


def _secret_key():
    key = env("SECRET_KEY", default="")
    if key:
        return key
    if DEBUG:
        return "django-insecure-chibo-development-key-never-use-in-production"
    # Embedded default without DEBUG: keep a random key of this installation under var/.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "chibo",
    "members",
    "meetings",
    "minutes",
    "resolutions",
    "dues",
    "notifications",
    "dashboards",
]

MIDDLEWARE = [
    # First, so that every response carries the CSP and Permissions-Policy, redirects and errors included.
    "chibo.headers.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Reads after a user's write go to the primary (a cookie); nothing to do without a replica.
    "chibo.replica.PinMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
    # Refreshes the dashboards' summary rows a request changed, after its transaction commits.
    "dashboards.summaries.SummaryMiddleware",
    # Last: it calls the view, in a transaction when the request changes things (chibo/transactions.py).
    "chibo.transactions.RequestTransactionMiddleware",
]

ROOT_URLCONF = "chibo.urls"
WSGI_APPLICATION = "chibo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "members.context_processors.access",
                "members.context_processors.large_text",
            ],
        },
    },
]

# Database: PostgreSQL from DATABASE_URL, else the embedded SQLite file.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'chibo.sqlite3'}"),
}
# No ATOMIC_REQUESTS: chibo.transactions.RequestTransactionMiddleware gives a request that changes things one
# transaction and spares a read the BEGIN and COMMIT.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves pages while `run_reminders` writes beside it. SQLite allows one writer at
    # a time: a writer waits its turn (timeout, in seconds) instead of failing, and a transaction takes the
    # write lock when it begins, so that a read followed by a write never fails half-way with "database is
    # locked" (which no timeout helps). As every request that writes runs in a transaction, such requests
    # take turns: right for one person trying Chibo; production runs on PostgreSQL. WAL lets the reminder
    # loop's reads go on meanwhile.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
# PgBouncer in transaction mode between Chibo and PostgreSQL: a server connection serves one transaction, then
# another client. Django's server-side cursors (.iterator() outside a transaction: DECLARE … WITH HOLD, then
# FETCH) would look for their cursor on another server connection, so rows are fetched client-side instead.
# Chibo keeps no other session state (no session advisory locks: the summaries' are transaction-level; no
# LISTEN, prepared statements or temporary tables; the time zone Django sets is one PgBouncer tracks and
# restores per client). Client connections to PgBouncer stay open (DB_CONN_MAX_AGE): they hold no server
# connection between transactions.
DATABASE_POOLER = env.bool("DATABASE_POOLER", default=False)
if DATABASE_POOLER:
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
# A streaming replica (chibo/replica.py): the dashboards, exports and reports read from it, never the pages a
# user works on, and never a browser whose user wrote in the last REPLICA_PIN_SECONDS (a cookie). Unset: every
# read on the primary. Under the tests the replica is the test database's mirror (a physical replica has it).
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", default="")
# Replication lag measured on a streaming pair made as the tests make theirs (pg_basebackup -R), 2 cores:
# median 3 ms idle; under three writers inserting without pause, p95 1.4 s, at most 2.9 s. The pin covers five
# times the worst seen; past REPLICA_MAX_LAG_SECONDS behind (0: not checked) the replica is left aside.
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=15)
REPLICA_MAX_LAG_SECONDS = env.int("REPLICA_MAX_LAG_SECONDS", default=10)
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **env.db_url_config(DATABASE_REPLICA_URL),
        "CONN_MAX_AGE": DATABASES["default"].get("CONN_MAX_AGE", 0),
        "CONN_HEALTH_CHECKS": DATABASES["default"].get("CONN_HEALTH_CHECKS", False),
        # No transaction per request on the replica: a view under replica.reads runs outside one anyway.
        "ATOMIC_REQUESTS": False,
        "TEST": {"MIRROR": "default"},
    }
    if DATABASE_POOLER:
        DATABASES["replica"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASE_ROUTERS = ["chibo.replica.Router"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: cache and Celery broker. Without it, a local-memory cache and in-process tasks.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    # Forgiving: while Redis is away pages are counted again instead of failing (chibo/cache.py).
    CACHES = {
        "default": {
            "BACKEND": "chibo.cache.ForgivingRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
# No result backend: every task keeps its outcome in the database (a message's status, a PDF's state). With a
# Redis result backend, sending a task while Redis is away blocked the request for 19 s and then failed.
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_IGNORE_RESULT = True
# Embedded default: no broker server, so tasks run in the process that sends them.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL.startswith("redis"))
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Sending a task tries the broker twice at once and then gives up (kombu's default retries for 6 s): a request
# never waits for a broker that is away, the work waits in the database instead (chibo/dispatch.py). The
# workers' own connection keeps retrying as usual (broker_connection_retry).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
    "socket_connect_timeout": 2,
    # A task a worker took and never finished (the worker died) is given to another after this long.
    "visibility_timeout": env.int("BROKER_VISIBILITY_TIMEOUT", default=3600),
}
# Queues by kind, one worker command each in docker-compose.yml: a slow PDF or report never delays a message.
# The scans, the nightly recount and the rest go to "default". CELERY_SINGLE_QUEUE puts every task on one
# queue (a small installation with one worker, and the tests' workers).
CELERY_QUEUES_BY_KIND = ["messages", "pdf", "reports", "default"]
CELERY_SINGLE_QUEUE = env("CELERY_SINGLE_QUEUE", default="")
CELERY_TASK_DEFAULT_QUEUE = CELERY_SINGLE_QUEUE or "default"
CELERY_TASK_ROUTES = (
    {}
    if CELERY_SINGLE_QUEUE
    else {
        "notifications.tasks.deliver_message*": {"queue": "messages"},
        "notifications.tasks.send_*": {"queue": "messages"},
        "members.tasks.send_*": {"queue": "messages"},
        "minutes.tasks.render_minutes_pdf": {"queue": "pdf"},
        "resolutions.tasks.render_resolution_pdf": {"queue": "pdf"},
        "meetings.tasks.render_invitation_sheet": {"queue": "pdf"},
        "dashboards.tasks.build_dashboard_report": {"queue": "reports"},
        # Its first night on a table of years may take hours: never in front of the five-minute scan.
        "notifications.tasks.prune_messages": {"queue": "reports"},
    }
)
CELERY_BEAT_SCHEDULE = {
    # Creates due reminders, nudges and "attendance not recorded" notes; each is sent once.
    "meeting-reminders": {"task": "notifications.tasks.scan_reminders", "schedule": 300.0},
    # Probationary members become official with time alone: the dashboards count the rolls again each night.
    "dashboard-rolls": {"task": "dashboards.tasks.refresh_cell_rolls", "schedule": crontab(hour=0, minute=5)},
    # The table of messages keeps MESSAGE_RETENTION_DAYS of them (notifications/retention.py).
    "prune-messages": {"task": "notifications.tasks.prune_messages", "schedule": crontab(hour=2, minute=30)},
    # Sends the work kept in the database while the broker was away (chibo/dispatch.py).
    "redispatch-deferred": {"task": "chibo.tasks.redispatch_deferred", "schedule": 60.0},
}
# A deferred task that Celery itself refuses this many times is left aside for an operator (admin).
DEFERRED_MAX_ATTEMPTS = env.int("DEFERRED_MAX_ATTEMPTS", default=10)

AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "members.backends.EmailOrUsernameBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "members:home"
LOGOUT_REDIRECT_URL = "login"
# Account invitations and password resets use Django's one-time tokens; they expire after this.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3 * 24 * 3600)

# Failed-login throttling (django-axes): lock a username from one address after N failures.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
# Password reset e-mails an hour to one address, and reset requests an hour from one client address.
PASSWORD_RESET_LIMIT_PER_ADDRESS = env.int("PASSWORD_RESET_LIMIT_PER_ADDRESS", default=3)
PASSWORD_RESET_LIMIT_PER_IP = env.int("PASSWORD_RESET_LIMIT_PER_IP", default=10)
# Logging in (or choosing a new password) with a phone number and a one-time code sent by Zalo or SMS: the code's
# life and tries, and how many codes a number, and a client address, may ask for per PHONE_CODE_WINDOW_MINUTES.
PHONE_CODE_MINUTES = env.int("PHONE_CODE_MINUTES", default=5)
PHONE_CODE_TRIES = env.int("PHONE_CODE_TRIES", default=5)
PHONE_CODE_WINDOW_MINUTES = env.int("PHONE_CODE_WINDOW_MINUTES", default=60)
PHONE_CODE_LIMIT_PER_NUMBER = env.int("PHONE_CODE_LIMIT_PER_NUMBER", default=5)
PHONE_CODE_LIMIT_PER_IP = env.int("PHONE_CODE_LIMIT_PER_IP", default=20)
# A member's number changed by the cell (not by the member) opens a login by code only this many hours later;
# the old number is told at once, so a member whose number was changed behind their back has time to say so.
PHONE_CHANGE_HOLD_HOURS = env.int("PHONE_CHANGE_HOLD_HOURS", default=48)
AXES_COOLOFF_TIME = env.float("LOGIN_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Count failures per account, however the login was typed (case, username or e-mail).
AXES_USERNAME_CALLABLE = "members.backends.axes_username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", default=False)
# Trust X-Forwarded-For only behind our own proxy; otherwise anyone could pick their address.
# Behind the proxy, the client is the address the proxy added to X-Forwarded-For (chibo/clients.py).
AXES_CLIENT_IP_CALLABLE = "chibo.clients.client_address"

# Languages: Vietnamese first, English available; Vietnam's time zone; dd/mm/yyyy everywhere.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["chibo.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env.bool("STATIC_MANIFEST", default=not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
if EMAIL_CONFIG["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend":
    # Ours prints readable subjects and bodies; Django's prints them encoded (=?utf-8?b?…?=).
    EMAIL_CONFIG["EMAIL_BACKEND"] = "chibo.emails.ConsoleBackend"
vars().update(EMAIL_CONFIG)
# A mail server that stops answering must not hold a batch of messages (seconds).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Chibo <chibo@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Member import limits: a cell's list is a few dozen rows; anything far larger is a mistake.
MEMBER_IMPORT_MAX_BYTES = env.int("MEMBER_IMPORT_MAX_BYTES", default=2 * 1024 * 1024)
MEMBER_IMPORT_MAX_ROWS = env.int("MEMBER_IMPORT_MAX_ROWS", default=1000)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Django's defaults, written out so that they are never turned off (None) by mistake.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 100
# No uploaded file is kept beyond this many bytes: past it the rest is read and dropped, never written to
# disk, and the form says the file is too large (chibo/uploads.py). At least the largest per-field limit
# (DOCUMENT_MAX_BYTES, MEMBER_IMPORT_MAX_BYTES); each field then checks its own.
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    "chibo.uploads.SizeCappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Meetings (domain brief: values marked "setting").
# The shortest cell meeting, in minutes.
MEETING_MIN_MINUTES = env.int("MEETING_MIN_MINUTES", default=90)
# A regular and a thematic meeting held the same day (one after the other) last this long together (domain §2).
MEETING_MIN_MINUTES_COMBINED = env.int("MEETING_MIN_MINUTES_COMBINED", default=120)
# A meeting's documents are available at least this many days before it (domain §2, HD 42).
DOCUMENTS_DAYS_BEFORE = env.int("DOCUMENTS_DAYS_BEFORE", default=1)
# Members here on temporary activity count in the attendance rate's base.
ATTENDANCE_COUNT_VISITING = env.bool("ATTENDANCE_COUNT_VISITING", default=True)
# Official members absent with an accepted reason are left out of the vote base N.
VOTE_BASE_SUBTRACT_EXCUSED = env.bool("VOTE_BASE_SUBTRACT_EXCUSED", default=True)
# Minutes PDF page margins in millimetres: top, bottom, left, right (domain §5).
PDF_MARGINS_MM = env.list("PDF_MARGINS_MM", cast=int, default=[20, 20, 30, 15])
# A member with an unexcused absence in this many months of a calendar year is flagged for removal.
REMOVAL_MONTHS = env.int("REMOVAL_MONTHS", default=3)
# A cell's structure (domain §8): with fewer official members than CELL_MIN_OFFICIAL it is not a valid cell;
# from COMMITTEE_REQUIRED_OFFICIAL it needs a committee; from PARTY_COMMITTEE_MEMBERS members of its own it is a
# candidate to become a party committee (đảng bộ).
CELL_MIN_OFFICIAL = env.int("CELL_MIN_OFFICIAL", default=3)
COMMITTEE_REQUIRED_OFFICIAL = env.int("COMMITTEE_REQUIRED_OFFICIAL", default=9)
PARTY_COMMITTEE_MEMBERS = env.int("PARTY_COMMITTEE_MEMBERS", default=30)
# Transfers (domain §8): the sending cell issues the papers of a permanent transfer within this many working days
# of the request; the member presents them at the new cell within this many working days of their issue.
TRANSFER_PAPERS_WORKING_DAYS = env.int("TRANSFER_PAPERS_WORKING_DAYS", default=60)
TRANSFER_PRESENT_WORKING_DAYS = env.int("TRANSFER_PRESENT_WORKING_DAYS", default=30)
# The cell's secretary is reminded this many days before a member's temporary activity ends.
TRANSFER_END_REMINDER_DAYS = env.int("TRANSFER_END_REMINDER_DAYS", default=30)
# Public holidays, not working days (members/workdays.py): "dd/mm" every year, "yyyy-mm-dd" one year's day (the
# lunar holidays, Tết and the Hùng Kings' day, and the days added around them: list each year's).
# Defaults: the fixed days, and the weekdays of Tết Bính Ngọ 2026 (16–20/02), the Hùng Kings' day 2026 (10/3 of
# the lunar year: Sunday 26/04, off on Monday 27/04) and Tết Đinh Mùi 2027 (05/02 and 08–10/02); the day the
# government adds next to National Day and later years' lunar holidays are to be added as they are announced.
PUBLIC_HOLIDAYS = env.list("PUBLIC_HOLIDAYS", default=[
    "01/01", "30/04", "01/05", "02/09",
    "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20", "2026-04-27",
    "2027-02-05", "2027-02-08", "2027-02-09", "2027-02-10",
])  # fmt: skip
# Dashboards: a member "rarely speaks" after attending at least this many meetings in a year and speaking
# at fewer than this share of them.
RARELY_SPEAKS_MIN_ATTENDED = env.int("RARELY_SPEAKS_MIN_ATTENDED", default=4)
RARELY_SPEAKS_PERCENT = env.int("RARELY_SPEAKS_PERCENT", default=25)
# A dashboard's figures are kept in the cache this long at most (0: counted at every request); any change of
# the summary rows below the unit makes them stale at once.
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=600)
# Reminders go out this many days before a confirmed meeting (0: the morning of the day), at this hour.
REMINDER_DAYS_BEFORE = env.list("REMINDER_DAYS_BEFORE", cast=int, default=[3, 0])
REMINDER_HOUR = env.int("REMINDER_HOUR", default=7)
# A resolution's task is reminded this many days before its deadline (and again once overdue).
TASK_REMINDER_DAYS_BEFORE = env.int("TASK_REMINDER_DAYS_BEFORE", default=3)
# Members who have not replied get a nudge this many days before the meeting.
NUDGE_DAYS_BEFORE = env.int("NUDGE_DAYS_BEFORE", default=2)
# The final documents of a meeting (the signed minutes) are due this many days after it (domain §2, a setting):
# the home page's month path and the meeting's page show them late after that.
MINUTES_FINAL_DAYS = env.int("MINUTES_FINAL_DAYS", default=2)
# A minutes PDF queued this long ago and still not back (or failed this long ago) is queued again when the
# minutes book asks for it; before that, asking again queues nothing.
PDF_RENDER_RETRY_MINUTES = env.int("PDF_RENDER_RETRY_MINUTES", default=10)
# A message that fails for now (a provider or SMTP away) is retried this many times, with growing pauses, then
# shown to the secretary.
MESSAGE_MAX_ATTEMPTS = env.int("MESSAGE_MAX_ATTEMPTS", default=5)
# A message claimed by a worker that died is claimed again (its delivery finished) after this long.
MESSAGE_CLAIM_TIMEOUT_SECONDS = env.int("MESSAGE_CLAIM_TIMEOUT_SECONDS", default=600)
# Messages go to the workers in batches of this many, each claimed, read and written back in a few queries.
MESSAGE_BATCH_SIZE = env.int("MESSAGE_BATCH_SIZE", default=50)
# Messages (and their deliveries) older than this many days are deleted each night (notifications/retention.py);
# 0 keeps them all; fewer than 90 days, or than the reminders look back when that is longer, count as that
# (notifications.retention.minimum_days).
MESSAGE_RETENTION_DAYS = env.int("MESSAGE_RETENTION_DAYS", default=400)

# Party dues (domain §11; every figure to be confirmed locally). Defaults where no committee above a cell has
# set a rate: percent of the declared base for salaried members and pensioners, fixed amounts in VND.
DUES_PERCENT_SALARIED = env.float("DUES_PERCENT_SALARIED", default=1.0)
DUES_PERCENT_PENSION = env.float("DUES_PERCENT_PENSION", default=0.5)
DUES_FIXED_STUDENT = env.int("DUES_FIXED_STUDENT", default=5000)
DUES_FIXED_OTHER = env.int("DUES_FIXED_OTHER", default=10000)
# Amounts computed from a percentage are rounded to the nearest multiple of this many đồng.
DUES_ROUND_TO = env.int("DUES_ROUND_TO", default=1000)
# Members away on temporary activity pay at their official cell (false: at the cell where they are).
DUES_AWAY_PAY_AT_HOME_CELL = env.bool("DUES_AWAY_PAY_AT_HOME_CELL", default=True)
# The share of the dues collected that a cell keeps (the rest goes up), and per kind of the unit just above the
# cell ("commune=90,grassroots=30"): the kind's share wins over the default.
DUES_CELL_SHARE_PERCENT = env.float("DUES_CELL_SHARE_PERCENT", default=30.0)
# (environ's dict with a cast for its values keeps only the first pair: the values are converted here.)
DUES_CELL_SHARE_BY_PARENT_KIND = {
    kind: float(share) for kind, share in env.dict("DUES_CELL_SHARE_BY_PARENT_KIND", default={}).items()
}

# Reaching members (notifications/channels/): the channels tried in this order unless a member has their own;
# the next one only after a failure for good, or when no delivery report came within DELIVERY_REPORT_MINUTES.
NOTIFY_CHANNELS = env.list("NOTIFY_CHANNELS", default=["zalo", "sms", "email"])
DELIVERY_REPORT_MINUTES = env.int("DELIVERY_REPORT_MINUTES", default=30)
# SMS brandname over the provider's HTTP JSON API. Without SMS_API_URL, each SMS is printed on the console.
SMS_API_URL = env("SMS_API_URL", default="")
SMS_API_KEY = env("SMS_API_KEY", default="")
SMS_SECRET_KEY = env("SMS_SECRET_KEY", default="")
SMS_BRANDNAME = env("SMS_BRANDNAME", default="CHIBO")
SMS_TYPE = env("SMS_TYPE", default="2")  # the provider's customer-care message type
# Without tones an SMS segment holds 160 characters; with them (UCS-2), 70.
SMS_UNACCENTED = env.bool("SMS_UNACCENTED", default=True)
# The secret in the address the provider posts its delivery reports to (/hooks/sms/<secret>/).
SMS_CALLBACK_SECRET = env("SMS_CALLBACK_SECRET", default="")
# Zalo ZNS (template messages from the Official Account). Without ZALO_API_URL, printed on the console.
ZALO_API_URL = env("ZALO_API_URL", default="")
ZALO_OAUTH_URL = env("ZALO_OAUTH_URL", default="https://oauth.zaloapp.com/v4/oa/access_token")
ZALO_APP_ID = env("ZALO_APP_ID", default="")
ZALO_SECRET_KEY = env("ZALO_SECRET_KEY", default="")
ZALO_REFRESH_TOKEN = env("ZALO_REFRESH_TOKEN", default="")  # the first one; later ones are kept in the database
# The approved template of each kind of message: {"invitation": "231234", "reminder": "231235", ...}.
ZALO_TEMPLATES = env.json("ZALO_TEMPLATES", default={})
ZALO_CALLBACK_SECRET = env("ZALO_CALLBACK_SECRET", default="")
# The Official Account's secret key: with it, each Zalo report must carry its signature (X-ZEvent-Signature).
ZALO_OA_SECRET_KEY = env("ZALO_OA_SECRET_KEY", default="")
# How long one call to a provider may take before the delivery is tried again later.
PROVIDER_TIMEOUT_SECONDS = env.float("PROVIDER_TIMEOUT_SECONDS", default=10)
# What the providers bill, in đồng: per SMS segment, per Zalo message (shown per cell and month).
SMS_PRICE_VND = env.int("SMS_PRICE_VND", default=800)
ZALO_PRICE_VND = env.int("ZALO_PRICE_VND", default=300)
# Meeting documents: size limit and the kinds accepted (checked by content, not only by name).
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)

# Production hardening: on unless DEBUG; each can be turned off behind a TLS-terminating proxy.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (chibo/headers.py): only our own files. Scripts are static files, never inline (data
# for them in `json_script` blocks); styles allow inline `style=` attributes (Bootstrap's progress bars, our
# templates); Bootstrap's CSS draws its icons from data: URIs.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# Browser features Chibo never uses, denied to the page and anything it could embed.
PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer", "autoplay", "camera", "display-capture", "geolocation", "gyroscope", "magnetometer",
        "microphone", "midi", "payment", "publickey-credentials-get", "screen-wake-lock", "usb",
        "xr-spatial-tracking",
    ]
}  # fmt: skip
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=14 * 24 * 3600)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "celery.app.trace": {"level": "WARNING"},
    },
}
