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

from trappen.national._context import (  # noqa: E402 (the context tables beside the bundles)
    adoption_import,
    adoption_read,
    indicators_import,
    indicators_read,
    statbank_import,
    statbank_read,
)
from trappen.national._figures import (  # noqa: E402
    HEADLINE,
    aggregate,
    comparison,
    overview,
    staircase_profile,
    top_cells,
    trend,
    years,
)
from trappen.national._peers import PEERS, peer_groups  # noqa: E402

__all__ += [
    "HEADLINE", "PEERS", "adoption_import", "adoption_read", "aggregate", "comparison", "indicators_import",
    "indicators_read", "overview", "peer_groups", "staircase_profile", "statbank_import", "statbank_read",
    "top_cells", "trend", "years",
]

from trappen.national._demo import NationDemo, nation_demo  # noqa: E402
from trappen.national._panel import evaluation_panel, national_did, national_synth, outcome_frame  # noqa: E402

__all__ += ["NationDemo", "evaluation_panel", "nation_demo", "national_did", "national_synth", "outcome_frame"]
