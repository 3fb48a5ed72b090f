"""Operations core: backup manifests and their checks (pure Python, no Django).

Modules::

    trappen.operations.manifest   BackupManifest, file_sha256, check_checksum, count_mismatches,
                                  manifest_path, and the backup exception tree
"""
