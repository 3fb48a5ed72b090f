"""Placeholder settings; the web layer replaces this with the real settings module."""

SECRET_KEY = "placeholder-only-for-imports"
INSTALLED_APPS: list[str] = []
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
USE_TZ = True
