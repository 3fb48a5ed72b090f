"""Import and export: CSV, Excel, Parquet, SSDA903 and Danmarks Statistik StatBank tables."""
