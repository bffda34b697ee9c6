"""Property-based: random answers at the audit API and random definitions at the checklist
pages never produce a 500 — always a result or a problem with field details."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from accounts import tokens
from accounts.roles import Permission, Role
from forms import services as checklist_services
from tests.audits.conftest import ALL_YES, Scene
from tests.conftest import csrf_token_from, login
from tests.factories import UserFactory

pytestmark = pytest.mark.integration

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
item_keys = st.sampled_from([*ALL_YES, "unknown_item", "x"])
envelopes = st.dictionaries(
    st.sampled_from(["value", "comment", "reaction", "photos", "extra"]), json_values, max_size=4
)
answer_sets = st.dictionaries(item_keys, envelopes | json_values, max_size=14)
PROPERTY_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@PROPERTY_SETTINGS
@given(answers=answer_sets | json_values)
def test_api_random_answers_never_500(
    client: FlaskClient, db_session: Session, scene: Scene, answers: Any
) -> None:
    issued = tokens.issue_token(
        db_session,
        user=scene.operator,
        name="p",
        scopes=frozenset({Permission.AUDITS_FILL}),
        days=1,
    )
    db_session.commit()
    body = {
        "client_uuid": str(uuid.uuid4()),
        "version_id": scene.version.id,
        "asset_code": scene.asset.code,
        "answers": answers,
    }
    response = client.post(
        "/api/v1/audits", json=body, headers={"Authorization": f"Bearer {issued.plaintext}"}
    )
    assert response.status_code in (201, 422), response.get_data(as_text=True)
    if response.status_code == 422:
        assert response.mimetype == "application/problem+json"
        assert response.json is not None
        for error in response.json["errors"]:
            assert error["pointer"] == "" or error["pointer"].startswith("/answers")
            assert error["code"]
            assert error["message"]


documents = st.fixed_dictionaries(
    {"schemaVersion": st.sampled_from([1, 2, "1"]), "title": st.text(max_size=10) | json_values},
    optional={
        "sections": st.lists(
            st.fixed_dictionaries(
                {"key": st.sampled_from(["s", "S", "", "t"]), "title": st.text(max_size=5)},
                optional={
                    "items": st.lists(
                        st.fixed_dictionaries(
                            {
                                "key": st.sampled_from(["a", "b", "a", "1x"]),
                                "type": st.sampled_from(
                                    ["passfail", "number", "repeat", "computed", "nope"]
                                ),
                                "label": st.text(min_size=1, max_size=5),
                            },
                            optional={
                                "visibleIf": st.sampled_from(
                                    ["answers.a == 'fail'", "answers.zz > 1", "((", "true"]
                                ),
                                "limits": st.fixed_dictionaries(
                                    {"lower": st.integers(0, 9), "upper": st.integers(0, 9)}
                                ),
                                "expression": st.sampled_from(["answers.a", "1 +"]),
                                "items": st.just([{"key": "c", "type": "number", "label": "C"}]),
                            },
                        ),
                        max_size=4,
                    )
                },
            ),
            max_size=3,
        ),
        "extra": json_values,
    },
)


@PROPERTY_SETTINGS
@given(document=documents)
def test_checklist_pages_random_definitions_never_500(
    client: FlaskClient, db_session: Session, make_user: UserFactory, document: dict[str, Any]
) -> None:
    engineer = make_user(Role.ENGINEER)
    checklist = checklist_services.create_checklist(
        db_session, actor_id=engineer.id, key=f"p-{uuid.uuid4().hex[:8]}"
    )
    db_session.commit()
    login(client, engineer.email)
    edit_url = f"/checklists/{checklist.id}/edit"
    token = csrf_token_from(client.get(edit_url).get_data(as_text=True))
    saved = client.post(
        edit_url, data={"document": json.dumps(document), "revision": "1", "csrf_token": token}
    )
    assert saved.status_code in (200, 302)
    publish_url = f"/checklists/{checklist.id}/publish"
    page = client.get(publish_url)
    assert page.status_code == 200
    published = client.post(publish_url, data={"revision": "2", "csrf_token": token})
    assert published.status_code in (200, 302)
