"""``input_params`` checked against a JSON Schema, as the Asset Generator and the AI Ad
Templates (inspirations) do: "must match the model's input_params_schema".

The check is jsonschema's (Draft 2020-12), not a hand-written subset; its findings are answered
in the documented 400 shape, a field map ``{"input_params": ["<where>: <what>", ...]}``. A
property sent as ``null`` counts as not sent; a required text may not be blank (DRF's rule);
the top-level defaults of the properties not sent are filled in, as the server runs with them
(and bills by them).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from app.sandbox.asset_models import ASSET_MODELS
from app.sandbox.inspirations import INSPIRATIONS
from app.sandbox.wire import REQUIRED, field_errors, general_error

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

    from app.sandbox.account import Account

__all__ = ["check_asset", "check_inspiration", "params_object", "validate_params"]

_MISSING = re.compile(r"^'(?P<name>[^']+)' is a required property$")


@functools.cache
def _validator(schema_text: str) -> Draft202012Validator:
    from jsonschema import Draft202012Validator  # ~0.1 s: loaded on the first check

    schema = json.loads(schema_text)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _problem(error: ValidationError) -> str:
    where = [str(p) for p in error.absolute_path]
    missing = _MISSING.match(error.message) if error.validator == "required" else None
    if missing is not None:
        return f"{'.'.join([*where, missing['name']])}: {REQUIRED}"
    return f"{'.'.join(where) or 'input_params'}: {error.message}"


def validate_params(schema: Mapping[str, Any], params: Mapping[str, Any],
                    field: str = "input_params") -> dict[str, Any]:
    """``params`` checked against ``schema`` (an object schema), defaults filled; refused →
    400 ``{field: [problems]}``."""
    given = {k: v for k, v in params.items() if v is not None}
    validator = _validator(json.dumps(schema, sort_keys=True))
    errors = sorted(validator.iter_errors(given), key=lambda e: [str(p) for p in e.path])
    problems = [_problem(e) for e in errors]
    for name in schema.get("required", ()):
        value = given.get(name)
        if isinstance(value, str) and not value.strip():
            problems.append(f"{name}: This field may not be blank.")
    if problems:
        raise field_errors({field: problems})
    out = dict(given)
    for name, prop in (schema.get("properties") or {}).items():
        if name not in out and isinstance(prop, Mapping) and "default" in prop:
            out[name] = prop["default"]
    return out


def params_object(value: Any, field: str = "input_params") -> dict[str, Any]:
    """``input_params`` as an object: a form or multipart body carries it as JSON text."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise field_errors({field: ["Value must be valid JSON."]}) from None
    if not isinstance(value, dict):
        raise field_errors({field: [f'Expected a dictionary of items but got type '
                                    f'"{type(value).__name__}".']})
    return value


def check_asset(account: Account, body: dict[str, Any]) -> None:
    """The model must be in the catalogue (``["AI model not found"]``) and its
    ``input_params`` match the model's schema."""
    model = ASSET_MODELS.get(body["model_name"])
    if model is None:
        raise general_error("AI model not found")
    body["input_params"] = validate_params(model.input_schema(), body["input_params"])


def check_inspiration(account: Account, body: dict[str, Any]) -> None:
    """The inspiration must exist (DRF's related-field message) and ``input_params`` —
    an object, or its JSON text — match its ``input_params_schema``."""
    template = INSPIRATIONS.get(body["inspiration_id"])
    if template is None:
        raise field_errors({"inspiration_id": [
            f'Invalid pk "{body["inspiration_id"]}" - object does not exist.']})
    body["input_params"] = validate_params(template.input_schema(),
                                           params_object(body["input_params"]))
