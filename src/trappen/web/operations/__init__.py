"""Operations: backup, restore and verify of the operational database, and the retention
report's records. No models: it works on whole databases (``services``, ``selectors``) through
the Django connection settings; ``_databases`` holds the vendor plumbing."""
