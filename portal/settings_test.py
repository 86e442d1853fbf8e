"""Settings for the test suite: the real settings with a throwaway key and fast hashing."""
import os

os.environ.setdefault("SECRET_KEY", "test-only-key-not-secret")

from portal.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Jobs run at once in the test's own thread, so a test sees their effect without a worker.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}

# The tests must never reach a real database. pytest-django swaps in a test database for the tests
# that ask for one; a test that reaches the database any other way finds this empty file instead
# of someone's db.sqlite3 (and fails loudly: no tables).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["NAME"] = str(BASE_DIR / "var" / "tests-no-real-database.sqlite3")

# Throttling needs the request in every authenticate() call, which the test client's login()
# does not pass; the throttling tests turn it on for themselves.
AXES_ENABLED = False
OTP_REQUIRED_FOR_STAFF = False

# Static files: the plain storage, found in the source directories, so the tests need no
# `collectstatic` (production uses WhiteNoise's hashed, compressed files).
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The test client speaks plain HTTP. Without DEBUG (a fresh checkout has no .env, and bin/test sets
# none) production would redirect every request to HTTPS; tests/portal/test_security_headers.py
# checks production's value in a process of its own.
SECURE_SSL_REDIRECT = False

# One connection per request, as before persistent connections: the concurrency tests open
# connections in threads of their own, which must not outlive them (PostgreSQL refuses to drop the
# test database while any is open). Production's persistent connections are exercised by bin/smoke
# and the benchmark.
DATABASES["default"]["CONN_MAX_AGE"] = 0
