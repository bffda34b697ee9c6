"""Evidence files of audits use the shared image checks and content-addressed store."""

from __future__ import annotations

from media import MAX_BYTES, MAX_PIXELS, CheckedImage, ContentStore, check_image

#: Photos and signatures of audits live in a content store under ``instance/evidence``.
EvidenceStore = ContentStore

__all__ = ["MAX_BYTES", "MAX_PIXELS", "CheckedImage", "EvidenceStore", "check_image"]
