"""What several features share: the theme, the table-model base, small widget helpers."""
