"""The Jobs panel: the ledger's jobs as a table (model, filter, progress delegate), the panel
around it and the player for a finished job."""
