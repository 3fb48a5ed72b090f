"""National aggregation: municipalities export signed, disclosure-controlled KPI bundles; a national
instance verifies and imports them into a store (docs/national.md).

Public API::

    from trappen.national import bundle_export, bundle_verify, bundles_import, store_list
    from trappen.national import key_generate, keys_write, public_keys_read, private_key_load
"""

from trappen.national._bundle import (
    COLUMNS,
    DISCLOSURE_THRESHOLD,
    FORMAT,
    Bundle,
    bundle_export,
    bundle_verify,
    kpi_catalogue_version,
    person_count_columns,
)
from trappen.national._errors import BadSignature, BundleRefused, ManifestMismatch, UnknownMunicipalityKey
from trappen.national._keys import (
    key_generate,
    keys_write,
    municipality_code_check,
    private_key_load,
    private_key_pem,
    public_key_load,
    public_key_pem,
    public_keys_read,
)
from trappen.national._store import ImportResult, bundles_import, store_list, store_read

__all__ = [
    "COLUMNS", "DISCLOSURE_THRESHOLD", "FORMAT", "BadSignature", "Bundle", "BundleRefused", "ImportResult",
    "ManifestMismatch", "UnknownMunicipalityKey", "bundle_export", "bundle_verify", "bundles_import", "key_generate",
    "keys_write", "kpi_catalogue_version", "municipality_code_check", "person_count_columns", "private_key_load",
    "private_key_pem", "public_key_load", "public_key_pem", "public_keys_read", "store_list", "store_read",
]
