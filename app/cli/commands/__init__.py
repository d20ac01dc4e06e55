"""The subcommands, one module per family: ``catalogue`` (generators, estimate, catalogue),
``submit`` (submit, render), ``jobs`` (jobs, show, watch, download, credits), ``batch``."""
