"""Settings of the portal, read from the environment (and an optional `.env` file).

Every value that differs between a laptop, CI and production comes from the environment through
django-environ; `.env.example` lists them. A bad value fails loudly at start rather than later.
"""
import base64
import hashlib
import os
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY 未设置：生产环境必须在环境变量或 .env 中提供 SECRET_KEY。")
    SECRET_KEY = "insecure-development-key-never-use-in-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "simple_history",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tasks",
    "django_tasks_db",
    "portal",
    "applications",
    "review",
    "programme",
    "demo",  # seeds every app above, so last
]

# The audit history is a record: reverting a row from the admin's history would change an application's
# status (or anything else) behind the journey's back, with no timeline row.
SIMPLE_HISTORY_REVERT_DISABLED = True

MIDDLEWARE = [
    # First: every response, redirects and errors included, carries the request's id (portal/request_id.py).
    "portal.request_id.RequestIdMiddleware",
    # Every response, static files included, carries the Permissions-Policy (portal/http_headers.py).
    "portal.http_headers.PermissionsPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files served by the portal itself (hashed names in production; see STORAGES below).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Signed-in pages and generated files are never kept by a cache (portal/http_headers.py).
    "portal.http_headers.NoStoreMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.middleware.OTPRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the messages middleware: a session past SESSION_ABSOLUTE_AGE is signed out, with a message.
    "portal.session_lifetime.SessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-csp's, with Django admin's own policy (portal/http_headers.py).
    "portal.http_headers.ContentSecurityPolicyMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns lockouts raised during login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.context_processors.site_operator",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Deadline day: many schools save at once. WAL lets readers go on while one writes, the busy
    # timeout makes a writer wait instead of failing, and IMMEDIATE transactions take the write
    # lock up front so two saves never deadlock upgrading a read lock.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    # A server database: each gunicorn worker keeps its connection between requests instead of
    # opening one per request (measured in bench/: a fifth of a save's time on this machine), and
    # checks it is still alive before reusing it. Options in DATABASE_URL (docs/scaling.md) win.
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache holds the mail limits' counts (portal/throttling.py). The default is each process's own
# memory, so with several gunicorn workers each counts apart; production shares one in the database
# (CACHE_URL=dbcache://portal_cache, after `manage.py createcachetable`; deploy/README.md).
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses any login attempt for an account or an address that failed too often.
    "axes.backends.AxesStandaloneBackend",
    "portal.auth_backends.UsernameOrEmailBackend",
]

# Failed-login throttling (portal/throttling.py, django-axes). An account is locked for a while from
# the address it failed from after this many failures there (only from there: no one elsewhere can
# lock a school out); a successful login clears the count. An address that failed this often (for
# any accounts) is slowed down, never locked: a school's whole network may share one address.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "portal.throttling.AccountAndAddressHandler"
LOGIN_ADDRESS_SOFT_LIMIT = env.int("LOGIN_ADDRESS_SOFT_LIMIT", default=20)
LOGIN_ADDRESS_MAX_WAIT_SECONDS = env.int("LOGIN_ADDRESS_MAX_WAIT_SECONDS", default=60)
# Account mails anyone can ask for by typing an address (password reset, the notice that someone
# tried to register with it) are limited per address and per client address (portal/throttling.py).
ACCOUNT_MAILS_PER_ADDRESS_PER_HOUR = env.int("ACCOUNT_MAILS_PER_ADDRESS_PER_HOUR", default=3)
ACCOUNT_MAILS_PER_CLIENT_PER_HOUR = env.int("ACCOUNT_MAILS_PER_CLIENT_PER_HOUR", default=10)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
# Failures count per account, not per spelling: the username and the e-mail in any case reach
# the same account (portal/auth_backends.py), so they share one count.
AXES_USERNAME_CALLABLE = "portal.auth_backends.login_name_for_throttling"
AXES_VERBOSE = False
# The browser's address (portal/client_address.py): behind TRUSTED_PROXY_COUNT proxies (nginx: 1),
# the entry of X-Forwarded-For the farthest of them appended, never one the client wrote; 0 trusts
# no header and takes the address that connected (REMOTE_ADDR).
AXES_CLIENT_IP_CALLABLE = "portal.client_address.client_address"
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1 if BEHIND_PROXY else 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT 不能为负数：0 表示不经代理，经 nginx 为 1。")

# Two-factor sign-in (django-otp, time-based one-time passwords): provincial reviewers and experts
# may turn it on; the project group, administrators and anyone let into Django admin (is_staff) must
# have it when this is true (portal.policy.must_use_second_factor), before any page but the set-up
# page opens. On in production: with the password alone they could change any record in admin.
if "OTP_REQUIRED_FOR_ADMINS" in os.environ:
    # The requirement once covered administrators only; a deployment still setting the old name
    # (perhaps to false) must not be silently given the new default.
    raise ImproperlyConfigured("OTP_REQUIRED_FOR_ADMINS 已改名为 OTP_REQUIRED_FOR_STAFF（项目组、管理员和可进入管理后台的账号），请改用新名称。")
OTP_REQUIRED_FOR_STAFF = env.bool("OTP_REQUIRED_FOR_STAFF", default=not DEBUG)
# Setting up an authenticator (portal/second_factor.py) takes a set-up code mailed to the account's
# address besides the password: valid this many minutes, dead after this many wrong tries.
OTP_ENROLMENT_CODE_MINUTES = env.int("OTP_ENROLMENT_CODE_MINUTES", default=15)
OTP_ENROLMENT_MAX_WRONG_CODES = 5
OTP_TOTP_ISSUER = "职业院校服务全民终身学习项目"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3
# A school's registration that is not confirmed (the link in its mail) within this many hours
# expires: the account and the school are removed and their name, credit code and e-mail address
# can be registered again (portal.services.registrations_expire; manage.py expire_registrations).
REGISTRATION_CONFIRM_HOURS = env.int("REGISTRATION_CONFIRM_HOURS", default=72)

# Who runs the site, in every page's footer (portal.context_processors.site_operator). The defaults
# are the notice's own (九、联系方式); the address is shown only when set.
SITE_OPERATOR_NAME = env.str("SITE_OPERATOR_NAME", default="中国成人教育协会")
SITE_OPERATOR_UNIT = env.str("SITE_OPERATOR_UNIT", default="职业院校服务全民终身学习项目组")
SITE_OPERATOR_ADDRESS = env.str("SITE_OPERATOR_ADDRESS", default="")
SITE_OPERATOR_PHONES = env.str("SITE_OPERATOR_PHONES", default="010-81299751 18611285756")
SITE_OPERATOR_EMAIL = env.str("SITE_OPERATOR_EMAIL", default="pengfang@enaea.edu.cn")
# The site's ICP 备案号 (e.g. 京ICP备12345678号-1): a site served in mainland China shows it in the
# footer, linked to the MIIT's register. Shown only when set.
ICP_NUMBER = env.str("ICP_NUMBER", default="")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Bootstrap comes from its npm package (package.json), never from a CDN.
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
]

# Uploaded scans are private: they live outside the static tree and have no public URL; they are
# served only through permission-checked views.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "var" / "uploads"))
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Production: static files, shared uploads, protected downloads, health check -------------------
# (deploy/README.md, docs/scaling.md.) WhiteNoise serves the static files from the portal itself: in
# production under the hashed, compressed names `manage.py collectstatic` writes (browsers cache them
# for ever); in development from the source directories. The tests keep the plain storage.
if not DEBUG:
    STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
    from whitenoise.compress import Compressor

    # Bootstrap's source maps (6 MB, read only by developer tools) are served uncompressed: brotli on
    # them was three quarters of collectstatic's time.
    WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]

# Uploaded files stay on the local disk (PRIVATE_MEDIA_ROOT) unless a bucket is named: then they go to
# S3-compatible object storage (AWS S3, MinIO, Ceph, OSS, COS...) that every app server shares. The
# objects are private and never linked to: downloads go through the permission-checked views.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
PROTECTED_FILES_URL_SECONDS = env.int("PROTECTED_FILES_URL_SECONDS", default=60)
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "location": env.str("AWS_LOCATION", default=""),  # a key prefix inside the bucket
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            # Without keys boto3 finds credentials itself (an instance role, ~/.aws/credentials).
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default="") or None,  # "path" for MinIO
            "signature_version": "s3v4",
            # Empty for buckets whose ACLs are disabled (AWS's default "bucket owner enforced").
            "default_acl": env.str("AWS_DEFAULT_ACL", default="private") or None,
            "querystring_auth": True,
            "querystring_expire": PROTECTED_FILES_URL_SECONDS,
            "file_overwrite": False,
            # An object read by the app is copied to a temporary file, in memory only up to this size.
            "max_memory_size": 2 * 1024 * 1024,
        },
    }

# How protected downloads leave the server (portal/protected.py): "django" streams them from the
# app; "nginx" hands them to nginx with X-Accel-Redirect to PROTECTED_FILES_INTERNAL_PREFIX, an
# `internal` location mapped to PRIVATE_MEDIA_ROOT (deploy/nginx/portal.conf); "apache" sends
# X-Sendfile (mod_xsendfile); "s3-redirect" redirects to a presigned object-storage URL that is valid
# PROTECTED_FILES_URL_SECONDS.
PROTECTED_FILES_SERVER = env.str("PROTECTED_FILES_SERVER", default="django")
PROTECTED_FILES_INTERNAL_PREFIX = env.str("PROTECTED_FILES_INTERNAL_PREFIX", default="/_protected/")
if PROTECTED_FILES_SERVER not in ("django", "nginx", "apache", "s3-redirect"):
    raise ImproperlyConfigured("PROTECTED_FILES_SERVER 只能是 django、nginx、apache 或 s3-redirect。")
if PROTECTED_FILES_SERVER in ("nginx", "apache") and AWS_STORAGE_BUCKET_NAME:
    raise ImproperlyConfigured("文件存放在对象存储时，PROTECTED_FILES_SERVER 只能是 django 或 s3-redirect。")
if PROTECTED_FILES_SERVER == "s3-redirect" and not AWS_STORAGE_BUCKET_NAME:
    raise ImproperlyConfigured("PROTECTED_FILES_SERVER=s3-redirect 需要设置 AWS_STORAGE_BUCKET_NAME。")

# /healthz (portal/health.py) answers over plain HTTP too: load balancers poll app servers directly.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# A job waiting longer than this marks the queue stale (the worker is down or overwhelmed).
HEALTHZ_QUEUE_STALE_SECONDS = env.int("HEALTHZ_QUEUE_STALE_SECONDS", default=15 * 60)
# /healthz tells anyone only up or down; its details go to this machine itself and to a monitor that
# sends `Authorization: Bearer <this>` (empty: to this machine only).
HEALTHZ_TOKEN = env.str("HEALTHZ_TOKEN", default="")
# --- end of production block ------------------------------------------------------------------------

SCAN_MAX_BYTES = env.int("SCAN_MAX_BYTES", default=20 * 1024 * 1024)
# A photo of a 建设动态 as uploaded from a phone (programme.images re-encodes it much smaller).
SHOWCASE_PHOTO_MAX_BYTES = env.int("SHOWCASE_PHOTO_MAX_BYTES", default=15 * 1024 * 1024)
# Let Django stream large uploads to disk instead of holding them in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="职业院校服务全民终身学习项目 <noreply@localhost>")

# Background jobs (mail delivery, later PDF bundles) are stored in the database and run by
# `python manage.py db_worker`; bin/run starts one beside the web server.
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# A mail that cannot be delivered is retried with growing delays this many times.
MAIL_MAX_ATTEMPTS = env.int("MAIL_MAX_ATTEMPTS", default=8)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# send_deadline_reminders writes this many days before each deadline (overridable with --days).
REMINDER_DAYS_BEFORE = env.int("REMINDER_DAYS_BEFORE", default=3)
# Processes the ZIP job (review.exports) lays PDFs out in, forked from the job worker: one per
# core it may use; each takes about 150 MB while it works. 1: all in the worker itself.
PDF_EXPORT_PROCESSES = env.int("PDF_EXPORT_PROCESSES", default=min(2, os.cpu_count() or 1))
# What one PDF may take in those processes before the job stops with a message on its page: the
# longest application the caps of applications.rules allow lays out in 5–10 s and 170 MB of
# address space more than the process had (bench/README.md), so a limit many times that is never
# reached by a real one, only by something gone wrong (a row stored before the caps, a layout that
# does not end, a helper killed).
PDF_EXPORT_SECONDS_PER_PDF = env.float("PDF_EXPORT_SECONDS_PER_PDF", default=120)
PDF_EXPORT_MEMORY_MB = env.int("PDF_EXPORT_MEMORY_MB", default=1024)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Sessions end after this long without a request (a request renews the session and its cookie).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 2)
# Renewed by a request once its last renewal is this old, not by every request
# (portal/session_lifetime.py): an autosave every few seconds would write the session each time.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_SECONDS = env.int("SESSION_RENEW_SECONDS", default=60)
# ... and, however busy, this long after signing in (portal/session_lifetime.py): a working day and
# then some, so no one is signed out mid-task on deadline day, while a copied cookie dies the same day.
SESSION_ABSOLUTE_AGE = env.int("SESSION_ABSOLUTE_AGE", default=60 * 60 * 12)

# Hardening. Production (DEBUG off) gets HTTPS-only cookies, HSTS and redirects;
# `manage.py check --deploy` reports nothing with these.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Permissions-Policy (portal/http_headers.py): browser features no page of the portal uses, turned
# off for the portal and anything framed in it. Only names Chromium knows: an unknown one is an
# error in the console of every page.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer", "camera", "display-capture", "geolocation", "gyroscope", "hid", "magnetometer", "microphone",
        "midi", "payment", "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
    )
}  # fmt: skip

# Content-Security-Policy (django-csp): scripts, styles, fonts and images only from the portal
# itself; no inline script or style anywhere in the portal's pages. Django admin has a policy of its
# own, ADMIN_CONTENT_SECURITY_POLICY below (portal.http_headers.ContentSecurityPolicyMiddleware).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Bootstrap draws checkboxes and select arrows with data: SVGs; QR codes are data: SVGs.
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Django admin's pages (under URL_PREFIX, portal/urls.py): the portal's directives and one more.
# Django's own admin templates carry no inline style or script; django-simple-history's history page
# carries one style attribute, style="border-top: 0" on its paginator, allowed by its hash alone
# ('unsafe-hashes' lets that hashed attribute through, never any other inline style or script):
# checked in Chromium by tests/browser/test_admin_csp.py.
SIMPLE_HISTORY_PAGINATOR_STYLE = "border-top: 0"
ADMIN_CONTENT_SECURITY_POLICY = {
    "URL_PREFIX": "/admin/",
    "DIRECTIVES": {
        **CONTENT_SECURITY_POLICY["DIRECTIVES"],
        "style-src-attr": [
            "'unsafe-hashes'", f"'sha256-{base64.b64encode(hashlib.sha256(SIMPLE_HISTORY_PAGINATOR_STYLE.encode()).digest()).decode()}'"
        ],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
        # One line per job state change is noise at INFO; failures still show.
        "django_tasks": {"level": "WARNING"},
    },
}

# --- Structured logs (portal/request_id.py) ----------------------------------------------------------
# Every line carries the request's id (X-Request-ID, "-" outside a request). LOG_FORMAT=json writes one
# JSON object per line for a log collector (the default in production); "plain" is for a terminal.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured("LOG_FORMAT 只能是 plain 或 json。")
LOGGING["filters"] = {"request_id": {"()": "portal.request_id.RequestIdFilter"}}
LOGGING["formatters"] = {
    "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    "json": {"()": "portal.request_id.JsonFormatter"},
}
LOGGING["handlers"]["console"].update({"filters": ["request_id"], "formatter": LOG_FORMAT})
# --- end of structured logs -------------------------------------------------------------------------
