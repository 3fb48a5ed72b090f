"""The CPR cipher for this deployment, built once from TRAPPEN_CPR_KEY / TRAPPEN_CPR_KEY_FILE."""

from __future__ import annotations

import base64
import hashlib
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_DEMO_KEY_SEED = b"trappen demo and test CPR key - synthetic data only"


def demo_key() -> bytes:
    """The fixed key for demo and test runs (synthetic CPR numbers only)."""
    return hashlib.sha256(_DEMO_KEY_SEED).digest()


@cache
def cpr_cipher():  # -> trappen.privacy.cpr.CprCipher
    """The deployment's :class:`trappen.privacy.cpr.CprCipher`.

    Raises:
        ImproperlyConfigured: no key is configured outside demo, debug and test runs.
    """
    from trappen.privacy.cpr import CprCipher, load_key, load_keys

    if settings.TRAPPEN_CPR_KEY or settings.TRAPPEN_CPR_KEY_FILE:
        key = load_key(env_value=settings.TRAPPEN_CPR_KEY or None,
                       key_file=settings.TRAPPEN_CPR_KEY_FILE or None)
    elif settings.INSECURE_DEFAULTS_ALLOWED:
        key = demo_key()
    else:
        raise ImproperlyConfigured(
            "TRAPPEN_CPR_KEY or TRAPPEN_CPR_KEY_FILE must be set (generate one with "
            "`python -c 'from trappen.privacy.cpr import generate_key; print(generate_key())'`)")
    return CprCipher(key, previous=load_keys(settings.TRAPPEN_CPR_PREVIOUS_KEYS or None))


def demo_key_text() -> str:
    """The demo key as URL-safe base64 text (the form the environment variable takes)."""
    return base64.urlsafe_b64encode(demo_key()).decode()
