"""Every GraphQL document the UI sends is valid against the server's committed schema
(``assets_ui/schema.graphql``): a field the UI asks for and the server does not have
fails here, without a browser.

The documents are the ``/* GraphQL */`` template literals in ``assets_ui/frontend/src``;
``${NAME}`` interpolations are resolved from ``export const NAME = `...``` in the same
sources.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import build_schema, parse, validate

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "assets_ui" / "frontend" / "src"
SCHEMA = ROOT / "assets_ui" / "schema.graphql"

DOCUMENT = re.compile(r"(?:export\s+)?const\s+(\w+)\s*=\s*/\*\s*GraphQL\s*\*/\s*`([^`]*)`")
FRAGMENT = re.compile(r"export\s+const\s+(\w+)\s*=\s*`([^`]*)`")


def _documents() -> dict[str, str]:
    texts = [p.read_text() for p in sorted(SOURCES.rglob("*.ts*")) if p.suffix in (".ts", ".tsx")]
    fragments = {name: body for text in texts for name, body in FRAGMENT.findall(text)}
    documents: dict[str, str] = {}
    for text in texts:
        for name, body in DOCUMENT.findall(text):
            documents[name] = re.sub(r"\$\{(\w+)\}", lambda m: fragments[m.group(1)], body)
    return documents


DOCUMENTS = _documents()


def test_the_ui_sources_have_documents() -> None:
    assert len(DOCUMENTS) >= 15, sorted(DOCUMENTS)
    assert {"LINEAGE_QUERY", "MATERIALIZE_MUTATION", "RUN_EVENTS_SUBSCRIPTION"} <= set(DOCUMENTS)


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_each_document_is_valid_against_the_schema(name: str) -> None:
    schema = build_schema(SCHEMA.read_text())
    errors = validate(schema, parse(DOCUMENTS[name]))
    assert not errors, f"{name}: {[e.message for e in errors]}"
