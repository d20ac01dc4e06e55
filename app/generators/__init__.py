"""Generator specs: one per row of Creatify's billing page (see ``catalogue``)."""

from app.generators.catalogue import BY_KEY, SPECS, spec
from app.generators.spec import (
    DEFAULT_WPM,
    Action,
    DurationKind,
    DurationSource,
    Field,
    FieldKind,
    Flow,
    GeneratorSpec,
    ResultKind,
    SpecError,
    script_seconds,
    url_problem,
)

__all__ = [
    "BY_KEY", "DEFAULT_WPM", "SPECS", "Action", "DurationKind", "DurationSource", "Field",
    "FieldKind", "Flow", "GeneratorSpec", "ResultKind", "SpecError", "script_seconds", "spec",
    "url_problem",
]
