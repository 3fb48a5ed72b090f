"""Privacy core: CPR handling and encryption, the audit hash chain, export sanitising, roles.

Pure Python (no Django). Modules::

    trappen.privacy.cpr       parse_cpr, parse_cpr_column, birth_date, sex, mask, CprCipher,
                              generate_key, load_key, load_keys
    trappen.privacy.chain     entry_hash, verify_chain, GENESIS, ChainBreak
    trappen.privacy.sanitize  neutralise_formula, neutralise_frame
    trappen.privacy.roles     permission, allowed, Scope, PERMISSIONS, PURPOSES

Import from the modules; this package deliberately re-exports nothing, so importing the roles
table does not load the cryptography library and vice versa.
"""
