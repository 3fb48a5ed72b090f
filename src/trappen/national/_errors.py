"""Errors raised by the national bundle core.

::

    TrappenError
     └── InvalidInput
          └── BundleRefused             a bundle that must not be imported (names the reason)
               ├── UnknownMunicipalityKey   no public key held for the bundle's municipality
               ├── BadSignature             the signature does not verify over the manifest
               └── ManifestMismatch         the manifest does not describe the content (or is malformed)
"""

from __future__ import annotations

from trappen.errors import InvalidInput


class BundleRefused(InvalidInput):
    """A bundle refused before anything was written to the national store."""


class UnknownMunicipalityKey(BundleRefused):
    """Raised when no public key is held for the municipality named in the bundle."""


class BadSignature(BundleRefused):
    """Raised when the Ed25519 signature does not verify over the canonical manifest."""


class ManifestMismatch(BundleRefused):
    """Raised when the manifest is malformed or does not match the content (hash, rows, years)."""
