"""Plant pages: the asset tree, and a QR code per machine that starts an audit there."""

from __future__ import annotations

import segno
from flask import Blueprint, Response, render_template, url_for

from accounts.access import require
from accounts.roles import Permission
from extensions import db
from plant.services import asset_tree, find_asset
from plant.tags import plant_overview

bp = Blueprint("plant", __name__, url_prefix="/plant")


@bp.get("/assets")
@require(Permission.PLANT_VIEW)
def assets() -> str:
    """The plant's asset tree: sites, areas, lines, cells and machines."""
    return render_template("plant/assets.html", tree=asset_tree(db.session))


@bp.get("/live")
@require(Permission.PLANT_VIEW)
def live() -> str:
    """Live machine values with quality and age, and the collector's view of each source."""
    machines, sources = plant_overview(db.session)
    return render_template("plant/live.html", machines=machines, sources=sources)


@bp.get("/assets/<code>/qr.svg")
@require(Permission.PLANT_VIEW)
def asset_qr(code: str) -> Response:
    """A QR code to stick on the machine: scanning it opens "Start audit" for this asset."""
    asset = find_asset(db.session, code)
    target = url_for("audits.start", asset=asset.code, _external=True)
    svg = segno.make(target, error="m").svg_inline(
        scale=6, border=2, title=f"Start audit at {asset.name}"
    )
    return Response(
        svg, mimetype="image/svg+xml", headers={"Cache-Control": "private, max-age=3600"}
    )
