"""Re-apply the local extensions of the vendored contract (``resources/creatify-openapi.md``).

Run after replacing ``resources/creatify-openapi.json`` with a new assembly:
``python -m tests.contract.extend_spec``. Each extension widens a schema only where Creatify's
docs themselves show the other form (the source is written into the schema as ``x-source`` and
``x-extended``); none makes a request check looser. Idempotent.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from tests.contract.contract import SPEC_PATH

BILLING = ("https://docs.creatify.ai/api-reference/link_to_videos/post-apilink_to_videos_render "
           "(\"Aurora_v2 costs 0.7 credits per second\") and the API billing page")


def _mark(schema: dict[str, Any], why: str, source: str) -> None:
    schema["x-extended"] = why
    schema["x-source"] = source


def extend(document: dict[str, Any]) -> list[str]:
    """Apply every extension to ``document``; the list says what each did."""
    schemas = document["components"]["schemas"]
    done = []

    assets = schemas["AssetGeneratorJob"]["properties"]["assets"]
    if "oneOf" not in assets:
        item = {"type": "object", "properties": {
            "id": {"type": "string"}, "type": {"type": "string"},
            "url": {"type": "string"}, "thumbnail_url": {"type": "string", "nullable": True},
            "name": {"type": "string", "nullable": True}}}
        schemas["AssetGeneratorJob"]["properties"]["assets"] = {
            "oneOf": [{k: v for k, v in assets.items() if not k.startswith("x-")},
                      {"type": "array", "items": item}],
            "description": assets.get("description", ""),
            "x-note": assets.get("x-note", "")}
        _mark(schemas["AssetGeneratorJob"]["properties"]["assets"],
              "the reference types assets as a string; the guide's result is a list of "
              "{id, type, url, thumbnail_url, name} (notes C.23): both accepted",
              "https://docs.creatify.ai/api-documentation/ai-generation (guide)")
    done.append("AssetGeneratorJob.assets: a string or a list of assets")

    for name in ("Lipsync", "LipsyncV2"):
        thumb = schemas[name]["properties"]["video_thumbnail"]
        thumb["nullable"] = True
        _mark(thumb, "null until the video exists, like output (nullable) beside it",
              "https://creatify.mintlify.app/api-reference/lipsyncs/get-apilipsyncs")
    done.append("Lipsync/LipsyncV2.video_thumbnail: nullable")

    for name in ("Link", "LinkToVideo", "Lipsync", "LipsyncV2", "AuroraFlow",
                 "CustomTemplateJob", "LegacyCustomTemplateJob", "AIScript", "AIShorts",
                 "AIEditing"):
        credits = schemas[name]["properties"]["credits_used"]
        if credits.get("type") == "integer":
            credits["type"] = "number"
            _mark(credits, "typed integer, but per-second prices (Aurora Fast 0.5 credit/s, "
                           "aurora_v2 0.7 credit/s) bill fractions of a credit", BILLING)
    done.append("credits_used: a number (not only whole credits) on every job typed integer")

    for name in ("Link", "InnerLink"):
        url = schemas[name]["properties"]["url"]
        url["nullable"] = True
        _mark(url, "a Link made with link_with_params has no product page (its rendered page "
                   "lists no url, notes C.20)",
              "https://docs.creatify.ai/api-reference/links/post-apilink_with_params")
    done.append("Link.url, InnerLink.url: nullable (Links made from parameters)")
    return done


def main() -> None:
    document = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    for line in extend(document):
        print(line)
    text = json.dumps(document, indent=1, ensure_ascii=True) + "\n"
    SPEC_PATH.write_text(text, encoding="utf-8")
    print("sha256", hashlib.sha256(text.encode()).hexdigest())


if __name__ == "__main__":
    main()
