"""Specs of Creatify's catalogue-driven ad makers: AI Ad Template (a template from
``GET /api/inspirations/``, filled from its own JSON Schema, priced at its ``credit_cost``) and
Image Ad (one product image in, several ad images out, 2 credits a request).

Neither is on Creatify's billing page; the docs give their prices on the endpoints' pages.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from app.api import resources as R
from app.assets import inspiration, inspiration_schema, installed
from app.generators._schema_check import values_problem
from app.generators._schema_values import typed_values
from app.generators.spec import (
    DurationKind,
    DurationSource,
    Field,
    FieldKind,
    GeneratorSpec,
    ResultKind,
    Values,
    clip,
    is_empty,
)
from app.pricing import PriceRequest, PricingError

PRICE_RULE = "ai_ad_template"
"""The catalogue rule the session fills from the templates' ``credit_cost``."""

# ---------------------------------------------------------------------------- AI Ad Template


def _template_schema(values: Values) -> Mapping[str, Any] | None:
    """The chosen template's ``input_params_schema`` from the installed catalogue, or
    ``None`` while the catalogue is not known (or does not list that id)."""
    chosen = values.get("inspiration_id")
    if not isinstance(chosen, str) or not chosen.strip():
        return None
    return inspiration_schema(chosen.strip())


def _template_check(values: Values) -> dict[str, str]:
    params = values.get("input_params")
    if not isinstance(params, Mapping) or is_empty(values.get("inspiration_id")):
        return {}
    schema = _template_schema(values)
    if schema is None:
        # An id pasted while the templates are still loading (or offline): the template
        # checks its inputs itself; we only insist on some.
        if not any(not is_empty(v) for v in params.values()):
            return {"input_params": "Fill in the template's inputs."}
        # Still no number that cannot go on the wire, no broken address, no typo of a number.
        problem = values_problem({}, params)
        return {"input_params": problem} if problem else {}
    problem = values_problem(schema, typed_values(schema, params))
    return {"input_params": problem} if problem else {}


def _template_body(values: Values) -> dict[str, Any]:
    """``{inspiration_id, input_params}``, the inputs in the template schema's types (only
    those it declares once it is known)."""
    schema = _template_schema(values)
    params = values.get("input_params")
    given = params if isinstance(params, Mapping) else {}
    return {"inspiration_id": str(values["inspiration_id"]).strip(),
            "input_params": typed_values(schema, given, only_declared=schema is not None)}


def _template_price(values: Values) -> list[PriceRequest]:
    """The chosen template's ``credit_cost``: the catalogue price whose model is its id. A
    template the gallery (not loaded yet, or no longer) does not list gets a sentence saying
    so, not the price table's words."""
    chosen = values.get("inspiration_id")
    template_id = chosen.strip() if isinstance(chosen, str) else ""
    if not template_id:
        raise PricingError("Choose a template to see its price.")
    if installed("inspirations") is None:
        raise PricingError("The template's price shows once Creatify's template gallery has "
                           "loaded.")
    if inspiration(template_id) is None:
        raise PricingError("This template is not in Creatify's gallery: choose one from the "
                           "list to see its price.")
    return [PriceRequest(PRICE_RULE, model=template_id)]


def _template_describe(values: Values) -> str:
    """The template's name and its first text input (a product name, a headline …)."""
    chosen = values.get("inspiration_id")
    found = inspiration(chosen) if isinstance(chosen, str) and chosen.strip() else None
    name = found.get("name") if found is not None else None
    label = name.strip() if isinstance(name, str) and name.strip() else "AI Ad Template"
    params = values.get("input_params")
    texts = [v for v in (params.values() if isinstance(params, Mapping) else ())
             if isinstance(v, str) and v.strip() and not v.strip().lower().startswith(
                 ("http://", "https://"))]
    return f"{clip(label, 40)} · {clip(' '.join(texts[0].split()), 40)}" if texts \
        else clip(label)


AI_AD_TEMPLATE = GeneratorSpec(
    key="ai_ad_template",
    title="AI Ad Template",
    billing_row="AI Ad Template",
    resource=R.INSPIRATION_JOBS,
    description="Pick a ready-made ad from Creatify's template gallery and fill in your "
                "product; each template shows its own price.",
    fields=(
        Field("inspiration_id", "Template", FieldKind.INSPIRATION, required=True,
              help="A template from Creatify's gallery (its preview and price are shown); an "
                   "id may be pasted."),
        Field("input_params", "Inputs", FieldKind.SCHEMA_FORM, required=True, default={},
              help="Built from the chosen template's inputs."),
    ),
    duration=DurationSource(DurationKind.NONE),
    check=_template_check,
    build=_template_body,
    describer=_template_describe,
    # Priced at the chosen template's ``credit_cost`` (the catalogue's price entry whose
    # model is the template's id).
    price_list=_template_price,
    price_rule=PRICE_RULE,
    model_field="inspiration_id",
    result_kind=ResultKind.ASSET,
    expected_seconds=600,
)


# ---------------------------------------------------------------------------- Image Ad

IMAGE_FORMATS = (".png", ".jpg", ".jpeg", ".webp")
"""The image files Image Ads take (the docs: 'png', 'jpg', 'jpeg', 'webp' formats only)."""


def _image_check(values: Values) -> dict[str, str]:
    """A link whose file name says it is another kind of file is refused before anything is
    sent; a link without an extension (a CDN address) is left to Creatify."""
    image = values.get("image")
    if not isinstance(image, str) or not image.strip():
        return {}
    try:
        suffix = PurePosixPath(urlsplit(image.strip()).path).suffix.lower()
    except ValueError:  # not a URL at all ("http://[::1"): the URL check says why
        return {}
    if suffix and suffix not in IMAGE_FORMATS:
        return {"image": f"Image Ads take a png, jpg or webp image, not a {suffix} file."}
    return {}


IMAGE_AD = GeneratorSpec(
    key="image_ad",
    title="Image Ad",
    billing_row="Image Ad",
    resource=R.IAB_IMAGES,
    description="Turn one product image into a set of ready-to-run display ad images in the "
                "standard banner sizes.",
    fields=(
        Field("image", "Product image URL", FieldKind.URL, required=True,
              help="A direct link to a png, jpg or webp image of your product."),
    ),
    duration=DurationSource(DurationKind.NONE),
    title_fields=("image",),
    check=_image_check,
    price_rule="image_ad",
    result_kind=ResultKind.IMAGE,
    expected_seconds=180,
)


__all__ = ["AI_AD_TEMPLATE", "IMAGE_AD", "IMAGE_FORMATS", "PRICE_RULE"]
