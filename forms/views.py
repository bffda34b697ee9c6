"""Checklist pages: list, create/import, edit and validate the draft, publish, diff, export."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response as WerkzeugResponse

from accounts.access import current_account, require
from accounts.roles import Permission
from audits.services import count_audits_for_version
from canonical import strict_loads
from errors import DomainError, FieldError, InvalidInput, NotFound
from extensions import db
from forms import images, services
from forms.definition import DefinitionInvalid
from forms.diff import diff_definitions
from forms.library import templates as library_templates
from forms.webforms import (
    ChecklistCreateWebform,
    ChecklistImportWebform,
    DraftWebform,
    ImageUploadWebform,
    PublishWebform,
    SelectChoice,
)
from media import ContentStore
from web.webforms import attach_errors

bp = Blueprint("checklists", __name__, url_prefix="/checklists")


def _count(version_id: int) -> int:
    return count_audits_for_version(db.session, version_id)


@bp.get("/")
@require(Permission.CHECKLISTS_VIEW)
def index() -> str:
    """All checklists with their latest version."""
    checklists = services.list_checklists(db.session)
    latest = services.latest_versions(db.session)
    return render_template("forms/index.html", checklists=checklists, latest=latest)


def _start_choices() -> list[SelectChoice]:
    choices = [SelectChoice("blank", "Blank checklist")]
    for key, document in library_templates().items():
        title = document.get("title")
        choices.append(
            SelectChoice(f"template:{key}", f"Template: {title if isinstance(title, str) else key}")
        )
    choices += [
        SelectChoice(f"copy:{c.id}", f"Copy of {c.title}")
        for c in services.list_checklists(db.session)
    ]
    return choices


def _start_document(choice: str) -> dict[str, Any] | None:
    if choice.startswith("template:"):
        return dict(library_templates()[choice.removeprefix("template:")])
    if choice.startswith("copy:"):
        return services.draft_document(
            services.get_checklist(db.session, int(choice.removeprefix("copy:")))
        )
    return None


@bp.route("/new", methods=["GET", "POST"])
@require(Permission.CHECKLISTS_EDIT)
def new() -> str | WerkzeugResponse:
    """Start a checklist, or import one from a file."""
    actor = current_account()
    assert actor is not None
    webform = ChecklistCreateWebform(prefix="create")
    webform.start_from.choices = _start_choices()
    import_webform = ChecklistImportWebform(prefix="import")
    problems: list[str] = []
    try:
        if "create-key" in request.form and webform.validate_on_submit():
            checklist = services.create_checklist(
                db.session,
                actor_id=actor.id,
                key=webform.key.data or "",
                document=_start_document(webform.start_from.data or "blank"),
            )
            db.session.commit()
            return redirect(url_for("checklists.edit", checklist_id=checklist.id))
        if "import-file" in request.files and import_webform.validate_on_submit():
            checklist = services.import_checklist(
                db.session, actor_id=actor.id, raw=import_webform.file.data.read()
            )
            db.session.commit()
            flash(f"Imported {checklist.title}.", "success")
            return redirect(url_for("checklists.detail", checklist_id=checklist.id))
    except DomainError as exc:
        db.session.rollback()
        problems = attach_errors(webform if "create-key" in request.form else import_webform, exc)
    return render_template(
        "forms/new.html", webform=webform, import_webform=import_webform, problems=problems
    )


@bp.get("/<int:checklist_id>")
@require(Permission.CHECKLISTS_VIEW)
def detail(checklist_id: int) -> str:
    """A checklist: its versions, how many audits use each, and the draft's state."""
    checklist = services.get_checklist(db.session, checklist_id)
    usage = {v.id: _count(v.id) for v in checklist.versions}
    draft_errors: tuple[FieldError, ...] = ()
    try:
        services.validate_draft(checklist)
    except DefinitionInvalid as exc:
        draft_errors = exc.errors
    return render_template(
        "forms/detail.html", checklist=checklist, usage=usage, draft_errors=draft_errors
    )


@bp.route("/<int:checklist_id>/edit", methods=["GET", "POST"])
@require(Permission.CHECKLISTS_EDIT)
def edit(checklist_id: int) -> str | WerkzeugResponse:
    """Edit the draft as JSON; saving checks the revision and shows definition problems."""
    actor = current_account()
    assert actor is not None
    checklist = services.get_checklist(db.session, checklist_id)
    webform = DraftWebform(
        document=services.export_document(checklist), revision=checklist.draft_revision
    )
    problems: list[str] = []
    draft_errors: tuple[FieldError, ...] = ()
    if webform.validate_on_submit():
        try:
            try:
                document = strict_loads(webform.document.data or "")
            except ValueError as exc:
                message = f"Not valid JSON: {exc}"
                raise InvalidInput(
                    message, [FieldError("/document", "malformed_json", message)]
                ) from exc
            services.save_draft(
                db.session,
                actor_id=actor.id,
                checklist_id=checklist.id,
                document=document,
                revision=webform.revision.data or 0,
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            problems = attach_errors(webform, exc)
        else:
            flash(f"Draft saved (revision {checklist.draft_revision}).", "success")
            return redirect(url_for("checklists.edit", checklist_id=checklist.id))
    try:
        services.validate_draft(checklist)
    except DefinitionInvalid as exc:
        draft_errors = exc.errors
    return render_template(
        "forms/edit.html",
        images=images.list_images(db.session, checklist.id),
        image_webform=ImageUploadWebform(),
        checklist=checklist,
        webform=webform,
        problems=problems,
        draft_errors=draft_errors,
    )


def image_store() -> ContentStore:
    """Checklist pictures under the instance path."""
    return ContentStore(current_app.config["GEMBA_SETTINGS"].instance_path / "checklist-images")


@bp.post("/<int:checklist_id>/images")
@require(Permission.CHECKLISTS_EDIT)
def upload_image(checklist_id: int) -> WerkzeugResponse:
    """Add a picture that instruction items can show (``"image": "<sha256>"``)."""
    actor = current_account()
    assert actor is not None
    webform = ImageUploadWebform()
    if not webform.validate_on_submit():
        raise InvalidInput(
            "Choose a picture to upload.", [FieldError("/file", "required", "Choose a picture.")]
        )
    image = images.add_image(
        db.session,
        actor_id=actor.id,
        checklist_id=checklist_id,
        data=webform.file.data.read(),
        store=image_store(),
    )
    db.session.commit()
    flash(f'Picture added. Use "image": "{image.sha256}" in an instruction item.', "success")
    return redirect(url_for("checklists.edit", checklist_id=checklist_id))


@bp.get("/images/<sha256>")
@require(Permission.CHECKLISTS_VIEW)
def image(sha256: str) -> Response:
    """A checklist picture (immutable: named by its hash)."""
    record = images.find_image(db.session, sha256)
    try:
        data = image_store().read(record.sha256)
    except FileNotFoundError as exc:
        raise NotFound("This picture is missing from storage.") from exc
    return Response(
        data,
        mimetype=record.media_type,
        headers={"Cache-Control": "private, max-age=31536000, immutable"},
    )


@bp.route("/<int:checklist_id>/publish", methods=["GET", "POST"])
@require(Permission.CHECKLISTS_EDIT)
def publish(checklist_id: int) -> str | WerkzeugResponse:
    """Review the diff against the latest version, then publish the draft as a new version."""
    actor = current_account()
    assert actor is not None
    preview = services.preview_publish(db.session, checklist_id=checklist_id, count_audits=_count)
    webform = PublishWebform(revision=str(preview.checklist.draft_revision))
    problems: list[str] = []
    draft_errors: tuple[FieldError, ...] = ()
    try:
        services.validate_draft(preview.checklist)
    except DefinitionInvalid as exc:
        draft_errors = exc.errors
    if webform.validate_on_submit():
        try:
            version = services.publish(
                db.session,
                actor_id=actor.id,
                checklist_id=checklist_id,
                revision=int(webform.revision.data or 0),
                count_audits=_count,
                confirm_breaking=bool(webform.confirm_breaking.data),
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            problems = attach_errors(webform, exc)
        else:
            flash(f"Published version {version.number}.", "success")
            return redirect(url_for("checklists.detail", checklist_id=checklist_id))
    return render_template(
        "forms/publish.html",
        preview=preview,
        webform=webform,
        problems=problems,
        draft_errors=draft_errors,
    )


@bp.get("/<int:checklist_id>/diff")
@require(Permission.CHECKLISTS_VIEW)
def diff(checklist_id: int) -> str:
    """Items added, removed and changed between two versions (``?a=<number>&b=<number>``)."""
    checklist = services.get_checklist(db.session, checklist_id)
    by_number = {v.number: v for v in checklist.versions}
    a = by_number.get(request.args.get("a", type=int) or 0)
    b = by_number.get(request.args.get("b", type=int) or 0)
    if a is None or b is None:
        raise InvalidInput(
            "Choose two versions of this checklist.",
            [FieldError("/a", "unknown_version", "Choose two existing versions.")],
        )
    changes = diff_definitions(services.version_document(a), services.version_document(b))
    return render_template("forms/diff.html", checklist=checklist, a=a, b=b, changes=changes)


@bp.get("/<int:checklist_id>/export")
@require(Permission.CHECKLISTS_VIEW)
def export(checklist_id: int) -> Response:
    """Download the draft as a JSON file."""
    checklist = services.get_checklist(db.session, checklist_id)
    return Response(
        services.export_document(checklist),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{checklist.key}.json"'},
    )
