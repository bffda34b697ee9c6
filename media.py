"""Uploaded images (audit evidence, checklist pictures): checked, stored once by sha256, fsynced.

Only JPEG, PNG and WebP are opened, with a pixel limit far below Pillow's default, so a
decompression bomb or a disguised file is refused before it is decoded.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from errors import FieldError, InvalidInput, PayloadTooLarge

#: Largest accepted image (24 megapixels: a good phone photo is 12).
MAX_PIXELS = 24_000_000
#: Largest accepted file.
MAX_BYTES = 15 * 1024 * 1024
MEDIA_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}

Image.MAX_IMAGE_PIXELS = MAX_PIXELS


@dataclass(frozen=True, slots=True)
class CheckedImage:
    """An image that passed the checks."""

    data: bytes
    sha256: str
    media_type: str
    width: int
    height: int


def _refuse(message: str, code: str) -> InvalidInput:
    return InvalidInput(message, [FieldError("/file", code, message)])


def check_image(data: bytes) -> CheckedImage:
    """Verify that ``data`` is a JPEG, PNG or WebP image of acceptable size.

    Raises:
        PayloadTooLarge: more than ``MAX_BYTES``.
        InvalidInput: empty, not an allowed image type, too many pixels or corrupt.
    """
    if not data:
        raise _refuse("The file is empty.", "empty_file")
    if len(data) > MAX_BYTES:
        message = f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB."
        raise PayloadTooLarge(message, [FieldError("/file", "file_too_large", message)])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(MEDIA_TYPES)) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise _refuse(
                        f"The image has more than {MAX_PIXELS // 1_000_000} megapixels.",
                        "too_many_pixels",
                    )
                image_format = image.format or ""
                image.verify()
    except InvalidInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        message = f"The image has more than {MAX_PIXELS // 1_000_000} megapixels."
        raise _refuse(message, "too_many_pixels") from exc
    except UnidentifiedImageError as exc:
        message = "Only JPEG, PNG or WebP photos are accepted."
        raise _refuse(message, "unsupported_file_type") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise _refuse("The image is damaged and cannot be read.", "corrupt_image") from exc
    return CheckedImage(
        data, hashlib.sha256(data).hexdigest(), MEDIA_TYPES[image_format], width, height
    )


class ContentStore:
    """Files under one folder, named by sha256 (``ab/abcdef…``); written atomically and durably."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        """Where the file with this hash lives."""
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        """True when the file is stored."""
        return self.path_for(sha256).is_file()

    def put(self, image: CheckedImage) -> Path:
        """Store ``image`` (no-op when already there): temp file, fsync, rename, fsync folder."""
        target = self.path_for(image.sha256)
        if target.is_file():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(image.data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp_name, target)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        folder = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
        return target

    def read(self, sha256: str) -> bytes:
        """The stored bytes.

        Raises:
            FileNotFoundError: not stored.
        """
        return self.path_for(sha256).read_bytes()
