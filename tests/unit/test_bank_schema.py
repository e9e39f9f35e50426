"""The JSON Schema for editors and the loader describe the same format."""

from __future__ import annotations

import json
import textwrap
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
import yaml

from bot.bank import (
    BankError,
    bundled_bank_dir,
    load_bank_file,
    load_bank_text,
    synthetic_bank_text,
)
from bot.bank import format as bank_format
from bot.domain.model import Difficulty, QuestionType

SCHEMA_PATH = bundled_bank_dir() / "bank.schema.json"
SCHEMA: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(
    SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
)
QUESTION = SCHEMA["$defs"]["question"]
BANK_FILES = sorted(bundled_bank_dir().glob("*.yaml"))


def as_json(value: Any) -> Any:
    """What an editor's YAML language server sees: dates are plain strings."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: as_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_json(item) for item in value]
    return value


def schema_errors(text: str) -> list[str]:
    document = as_json(yaml.safe_load(text))
    return [error.message for error in VALIDATOR.iter_errors(document)]


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_there_are_bank_files_to_check() -> None:
    assert BANK_FILES


@pytest.mark.parametrize("path", BANK_FILES, ids=lambda path: path.name)
def test_every_bank_file_passes_both_the_schema_and_the_loader(path: Path) -> None:
    text = path.read_text(encoding="utf-8")

    assert schema_errors(text) == []
    assert load_bank_file(path).questions
    assert text.startswith("# yaml-language-server: $schema=./bank.schema.json\n")


def test_the_synthetic_bank_passes_the_schema_too() -> None:
    assert schema_errors(synthetic_bank_text(100)) == []


@pytest.mark.parametrize(
    ("where", "keys", "required"),
    [
        pytest.param(SCHEMA, bank_format.BANK_KEYS, bank_format.REQUIRED_BANK_KEYS, id="bank"),
        pytest.param(
            SCHEMA["properties"]["source"],
            bank_format.BANK_SOURCE_KEYS,
            bank_format.REQUIRED_BANK_SOURCE_KEYS,
            id="bank source",
        ),
        pytest.param(
            SCHEMA["properties"]["defaults"], bank_format.DEFAULTS_KEYS, (), id="defaults"
        ),
        pytest.param(
            QUESTION, bank_format.QUESTION_KEYS, bank_format.REQUIRED_QUESTION_KEYS, id="question"
        ),
        pytest.param(
            QUESTION["properties"]["source"],
            bank_format.QUESTION_SOURCE_KEYS,
            bank_format.REQUIRED_QUESTION_SOURCE_KEYS,
            id="question source",
        ),
    ],
)
def test_the_schema_and_the_loader_allow_the_same_keys(
    where: dict[str, Any], keys: tuple[str, ...], required: tuple[str, ...]
) -> None:
    assert set(where["properties"]) == set(keys)
    assert set(where.get("required", ())) == set(required)
    assert where["additionalProperties"] is False


def test_the_schema_and_the_model_name_the_same_types_and_difficulties() -> None:
    assert QUESTION["properties"]["type"]["enum"] == [member.value for member in QuestionType]
    assert SCHEMA["$defs"]["difficulty"]["enum"] == [member.value for member in Difficulty]


def test_the_schema_and_the_loader_share_their_limits() -> None:
    props = QUESTION["properties"]
    assert props["prompt"]["maxLength"] == bank_format.MAX_PROMPT
    assert props["explanation"]["maxLength"] == bank_format.MAX_EXPLANATION
    assert props["choices"]["minItems"] == bank_format.MIN_CHOICES
    assert props["choices"]["maxItems"] == bank_format.MAX_CHOICES
    assert props["source"]["properties"]["context"]["maxLength"] == bank_format.MAX_CONTEXT
    defs = SCHEMA["$defs"]
    assert defs["answer"]["anyOf"][0]["maxLength"] == bank_format.MAX_ANSWER
    assert defs["choice"]["anyOf"][0]["maxLength"] == bank_format.MAX_CHOICE
    assert defs["hint"]["maxLength"] == bank_format.MAX_HINT
    assert defs["tag"]["anyOf"][0]["maxLength"] == bank_format.MAX_TAG
    assert defs["category"]["maxLength"] == bank_format.MAX_CATEGORY
    assert SCHEMA["properties"]["title"]["maxLength"] == bank_format.MAX_TITLE
    assert defs["slug"]["pattern"] == f"^{bank_format.ID_PATTERN.pattern}$"


MISTAKES = [
    pytest.param("anwsers: [a]", id="unknown key"),
    pytest.param("answers: []", id="empty answers"),
    pytest.param("answers: [a]\nchoices: [a, b]", id="choices on a text question"),
    pytest.param("answers: [a]\ntype: choice", id="choice without choices"),
    pytest.param("answers: [a]\ntype: choice\nchoices: [a, b, c, d, e, f, g]", id="seven choices"),
    pytest.param("answers: [maybe]\ntype: boolean", id="boolean not true or false"),
    pytest.param("answers: [five]\ntype: number", id="number in words"),
    pytest.param("answers: [a]\ndifficulty: brutal", id="bad difficulty"),
    pytest.param("answers: [a]\nsource: {paragraph: 0, context: words}", id="paragraph 0"),
    pytest.param("answers: [a]\nexplanation: ''", id="empty explanation"),
]


@pytest.mark.parametrize("mistake", MISTAKES)
def test_the_schema_and_the_loader_both_refuse_common_mistakes(mistake: str) -> None:
    text = "id: bank-1\ntitle: T\nquestions:\n  - id: q-1\n    prompt: P?\n" + textwrap.indent(
        mistake, "    "
    )

    assert schema_errors(text)
    with pytest.raises(BankError):
        load_bank_text(text, path="t.yaml")
