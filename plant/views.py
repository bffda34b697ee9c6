"""Plant pages: the asset tree."""

from __future__ import annotations

from flask import Blueprint, render_template

from accounts.access import require
from accounts.roles import Permission
from extensions import db
from plant.services import asset_tree

bp = Blueprint("plant", __name__, url_prefix="/plant")


@bp.get("/assets")
@require(Permission.PLANT_VIEW)
def assets() -> str:
    """The plant's asset tree: sites, areas, lines, cells and machines."""
    return render_template("plant/assets.html", tree=asset_tree(db.session))
