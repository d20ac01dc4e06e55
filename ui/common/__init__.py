"""What several features of the window share: the theme and the table-model base."""
