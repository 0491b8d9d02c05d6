"""The JSON Schemas of the data files, generated from the models.

Committed copies live in `data/schema/`; the YAML files point at them with a
`# yaml-language-server: $schema=...` first line so editors offer completion and inline errors.
A test fails when the committed copies drift from the models.
"""

from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel

from .models import CommitmentsFile, RecordFile, RequestsFile

MODELS: dict[str, type[BaseModel]] = {"requests": RequestsFile, "commitments": CommitmentsFile, "record": RecordFile}
SCHEMA_DIR = "schema"


def schema_text(which: Literal["requests", "commitments", "record"] | str) -> str:
    """The JSON Schema of one data file, as stable, pretty-printed text."""
    model = MODELS[which]
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"{which}.schema.json"
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def schema_comment(which: str) -> str:
    """The first line of a data file, pointing editors at its schema."""
    return f"# yaml-language-server: $schema={SCHEMA_DIR}/{which}.schema.json"
