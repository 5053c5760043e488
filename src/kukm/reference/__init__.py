"""Reference data (Kepgub I.2): wilayah, KBLI, ODS vocabularies, NIK prefix table."""
