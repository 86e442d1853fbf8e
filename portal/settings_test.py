"""Settings for the test suite: the real settings with a throwaway key and fast hashing."""
import os

os.environ.setdefault("SECRET_KEY", "test-only-key-not-secret")

from portal.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Jobs run at once in the test's own thread, so a test sees their effect without a worker.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
