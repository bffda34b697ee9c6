"""Checklist services on the real database: drafts, import/export, publishing, versions."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import Session

from canonical import content_hash
from errors import Conflict, InvalidInput
from forms import services
from forms.definition import DefinitionInvalid
from forms.library import templates as library_templates
from tests import factories
from tests.factories import UserFactory

pytestmark = pytest.mark.integration


def test_create_checklist_starts_from_blank_draft(
    db_session: Session, make_user: UserFactory
) -> None:
    engineer = make_user(factories.Role.ENGINEER)
    checklist = services.create_checklist(db_session, actor_id=engineer.id, key="daily-5s")
    assert checklist.draft_revision == 1
    assert services.draft_document(checklist)["key"] == "daily-5s"
    assert services.validate_draft(checklist).items == ()


def test_create_checklist_refuses_taken_and_bad_keys(
    db_session: Session, make_user: UserFactory
) -> None:
    engineer = make_user(factories.Role.ENGINEER)
    services.create_checklist(db_session, actor_id=engineer.id, key="taken")
    with pytest.raises(Conflict):
        services.create_checklist(db_session, actor_id=engineer.id, key="taken")
    with pytest.raises(InvalidInput) as info:
        services.create_checklist(db_session, actor_id=engineer.id, key="Bad Key!")
    assert info.value.errors[0].code == "invalid_key"


def test_export_then_import_is_lossless(db_session: Session, make_user: UserFactory) -> None:
    engineer = make_user(factories.Role.ENGINEER)
    original = services.create_checklist(
        db_session,
        actor_id=engineer.id,
        key="press-startup",
        document=library_templates()["press-startup"],
    )
    exported = services.export_document(original)
    document = json.loads(exported)
    document["key"] = "press-startup-copy"
    imported = services.import_checklist(db_session, actor_id=engineer.id, raw=json.dumps(document))
    again = json.loads(services.export_document(imported))
    again["key"] = "press-startup"
    assert content_hash(again) == content_hash(services.draft_document(original))
    assert services.draft_document(original) == library_templates()["press-startup"]


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"{not json", "malformed_json"),
        (b"[1, 2]", "not_an_object"),
        (b'{"title": "x"}', "required"),
    ],
)
def test_import_checklist_rejects_bad_files(
    db_session: Session, make_user: UserFactory, raw: bytes, code: str
) -> None:
    engineer = make_user(factories.Role.ENGINEER)
    with pytest.raises(InvalidInput) as info:
        services.import_checklist(db_session, actor_id=engineer.id, raw=raw)
    assert info.value.errors[0].code == code


def test_save_draft_detects_conflicting_edits(db_session: Session, make_user: UserFactory) -> None:
    engineer = make_user(factories.Role.ENGINEER)
    checklist = services.create_checklist(db_session, actor_id=engineer.id, key="shared")
    document = services.draft_document(checklist)
    services.save_draft(
        db_session, actor_id=engineer.id, checklist_id=checklist.id, document=document, revision=1
    )
    with pytest.raises(Conflict) as info:
        services.save_draft(
            db_session,
            actor_id=engineer.id,
            checklist_id=checklist.id,
            document=document,
            revision=1,
        )
    assert info.value.errors[0].code == "stale_revision"
    assert checklist.draft_revision == 2


def test_publish_freezes_a_content_hashed_version(
    db_session: Session, make_user: UserFactory
) -> None:
    engineer = make_user(factories.Role.ENGINEER)
    document = factories.definition(factories.passfail("a"), factories.passfail("b"))
    version = factories.published_version(db_session, engineer, document, key="hashing")
    assert version.number == 1
    assert version.item_count == 2
    assert version.content_hash == content_hash({**document, "key": "hashing"})
    assert json.loads(version.document) == {**document, "key": "hashing"}


def test_publish_refuses_invalid_draft_with_pointers(
    db_session: Session, make_user: UserFactory
) -> None:
    engineer = make_user(factories.Role.ENGINEER)
    document = factories.definition({"key": "x", "type": "teleport", "label": "?"})
    checklist = services.create_checklist(
        db_session, actor_id=engineer.id, key="broken", document=document
    )
    with pytest.raises(DefinitionInvalid) as info:
        services.publish(
            db_session,
            actor_id=engineer.id,
            checklist_id=checklist.id,
            revision=1,
            count_audits=lambda _v: 0,
        )
    assert info.value.errors[0].pointer == "/sections/0/items/0/type"
    assert info.value.errors[0].code == "unknown_item_type"


def test_publish_refuses_unchanged_and_stale_drafts(
    db_session: Session, make_user: UserFactory
) -> None:
    engineer = make_user(factories.Role.ENGINEER)
    version = factories.published_version(
        db_session, engineer, factories.definition(factories.passfail("a"))
    )
    checklist = services.get_checklist(db_session, version.checklist_id)
    with pytest.raises(Conflict, match="Nothing changed"):
        services.publish(
            db_session,
            actor_id=engineer.id,
            checklist_id=checklist.id,
            revision=1,
            count_audits=lambda _v: 0,
        )
    with pytest.raises(Conflict, match="changed since you reviewed"):
        services.publish(
            db_session,
            actor_id=engineer.id,
            checklist_id=checklist.id,
            revision=7,
            count_audits=lambda _v: 0,
        )


def test_publish_breaking_change_needs_confirmation_when_audits_exist(
    db_session: Session, make_user: UserFactory
) -> None:
    engineer = make_user(factories.Role.ENGINEER)
    v1 = factories.published_version(
        db_session, engineer, factories.definition(factories.passfail("a"), factories.passfail("b"))
    )
    checklist = services.get_checklist(db_session, v1.checklist_id)
    services.save_draft(
        db_session,
        actor_id=engineer.id,
        checklist_id=checklist.id,
        document=factories.definition(factories.passfail("a")),
        revision=checklist.draft_revision,
    )
    preview = services.preview_publish(
        db_session, checklist_id=checklist.id, count_audits=lambda _v: 3
    )
    assert preview.diff is not None
    assert preview.diff.removed == ("b",)
    assert preview.audits_on_latest == 3
    with pytest.raises(Conflict, match="3 audit\\(s\\) use version 1"):
        services.publish(
            db_session,
            actor_id=engineer.id,
            checklist_id=checklist.id,
            revision=checklist.draft_revision,
            count_audits=lambda _v: 3,
        )
    v2 = services.publish(
        db_session,
        actor_id=engineer.id,
        checklist_id=checklist.id,
        revision=checklist.draft_revision,
        count_audits=lambda _v: 3,
        confirm_breaking=True,
    )
    assert v2.number == 2
    assert json.loads(v1.document)["sections"][0]["items"][1]["key"] == "b"  # v1 never changes


def test_published_versions_lists_latest_of_each_checklist(
    db_session: Session, make_user: UserFactory
) -> None:
    engineer = make_user(factories.Role.ENGINEER)
    v1 = factories.published_version(
        db_session, engineer, factories.definition(factories.passfail("a"))
    )
    checklist = services.get_checklist(db_session, v1.checklist_id)
    services.save_draft(
        db_session,
        actor_id=engineer.id,
        checklist_id=checklist.id,
        document=factories.definition(factories.passfail("a"), factories.passfail("c")),
        revision=checklist.draft_revision,
    )
    v2 = services.publish(
        db_session,
        actor_id=engineer.id,
        checklist_id=checklist.id,
        revision=checklist.draft_revision,
        count_audits=lambda _v: 0,
    )
    ids = [v.id for v in services.published_versions(db_session)]
    assert v2.id in ids
    assert v1.id not in ids


def test_publish_checks_pictures_inside_repeat_groups(
    db_session: Session, make_user: UserFactory
) -> None:
    engineer = make_user(factories.Role.ENGINEER)
    document = factories.definition(
        {
            "key": "rows",
            "type": "repeat",
            "label": "Rows",
            "items": [{"key": "how", "type": "instruction", "label": "How", "image": "0" * 64}],
        }
    )
    checklist = services.create_checklist(
        db_session, actor_id=engineer.id, key="pictures-in-rows", document=document
    )
    with pytest.raises(DefinitionInvalid) as info:
        services.publish(
            db_session,
            actor_id=engineer.id,
            checklist_id=checklist.id,
            revision=1,
            count_audits=lambda _v: 0,
        )
    assert [(e.pointer, e.code) for e in info.value.errors] == [
        ("/sections/0/items/0/items/0/image", "image_missing")
    ]
