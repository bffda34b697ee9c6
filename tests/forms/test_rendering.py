"""The tablet page's items come from the item-type macros; summaries read well."""

from __future__ import annotations

import pytest
from flask import Flask

from forms.definition import parse_definition
from forms.itemtypes import REGISTRY
from forms.rendering import blank_checklist_html, script_json
from forms.validation import compile_version
from tests.forms.test_properties import KITCHEN_SINK

pytestmark = pytest.mark.integration


def test_blank_page_renders_every_item_type_with_its_macro(app: Flask) -> None:
    definition = parse_definition(KITCHEN_SINK)
    used = {item.type_name for item in definition.walk()}
    assert used == set(REGISTRY)
    with app.test_request_context():
        html = str(
            blank_checklist_html(
                "kitchen-sink-test", compile_version("kitchen-sink-test", lambda: definition)
            )
        )
    for item in definition.walk():
        assert f'data-key="{item.key}"' in html
    assert 'type="checkbox"' in html  # multichoice
    assert 'capture="environment"' in html  # photo
    assert "signature-pad" in html
    assert 'data-computed="' in html
    assert 'id="fail-extras-template"' in html
    assert html.count('id="fail-extras-template"') == 1


def test_blank_page_is_cached_per_content_hash(app: Flask) -> None:
    definition = parse_definition(KITCHEN_SINK)
    compiled = compile_version("kitchen-sink-cache", lambda: definition)
    with app.test_request_context():
        first = blank_checklist_html("kitchen-sink-cache", compiled)
        second = blank_checklist_html("kitchen-sink-cache", compiled)
    assert first is second


def test_script_json_cannot_close_the_script_element() -> None:
    assert (
        str(script_json('{"a":"</script><img src=x>&\'"}'))
        == '{"a":"\\u003c/script\\u003e\\u003cimg src=x\\u003e\\u0026\\u0027"}'
    )


@pytest.mark.parametrize(
    ("item", "value", "text"),
    [
        ({"key": "k", "type": "passfail", "label": "L"}, "fail", "No"),
        (
            {"key": "k", "type": "number", "label": "L", "unit": "bar", "decimals": 1},
            205,
            "205.0 bar",
        ),
        (
            {
                "key": "k",
                "type": "choice",
                "label": "L",
                "options": [{"value": "a", "label": "Alpha"}],
            },
            "a",
            "Alpha",
        ),
        (
            {
                "key": "k",
                "type": "multichoice",
                "label": "L",
                "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}],
            },
            ["a", "b"],
            "A, B",
        ),
        ({"key": "k", "type": "photo", "label": "L"}, ["a" * 64, "b" * 64], "2 photos"),
        ({"key": "k", "type": "signature", "label": "L"}, "a" * 64, "signed"),
        ({"key": "k", "type": "text", "label": "L"}, None, "—"),
        (
            {
                "key": "k",
                "type": "repeat",
                "label": "L",
                "items": [{"key": "c", "type": "number", "label": "C"}],
            },
            [{}],
            "1 row",
        ),
    ],
)
def test_item_type_summary(item: dict, value: object, text: str) -> None:  # type: ignore[type-arg]
    definition = parse_definition(
        {
            "schemaVersion": 1,
            "title": "T",
            "sections": [{"key": "s", "title": "S", "items": [item]}],
        }
    )
    parsed = definition.items[0]
    assert parsed.item_type.summary(parsed, value) == text
