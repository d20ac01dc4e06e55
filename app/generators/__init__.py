"""Generator specs: one per row of Creatify's billing page (see ``catalogue``)."""

from app.generators.catalogue import (
    BY_KEY,
    SPECS,
    billed_by_tokens,
    default_page_target,
    refunds_on_failure,
    register,
    spec,
    unregister,
)
from app.generators.spec import (
    DEFAULT_WPM,
    VALIDATORS,
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
    "BY_KEY", "DEFAULT_WPM", "SPECS", "VALIDATORS", "Action", "DurationKind", "DurationSource",
    "Field", "FieldKind", "Flow", "GeneratorSpec", "ResultKind", "SpecError",
    "billed_by_tokens", "default_page_target", "refunds_on_failure", "register",
    "script_seconds", "spec", "unregister", "url_problem",
]
