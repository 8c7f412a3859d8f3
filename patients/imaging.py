"""Clean patient photos on upload: check they are images, drop every metadata field.

A phone photo carries EXIF: GPS position, device serial, date and time, sometimes a
thumbnail of the uncropped picture. None of it belongs in a clinical record, so the pixels
are copied into a fresh image (turned upright first, as the EXIF orientation said) and saved
as JPEG with no metadata but the colour profile.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "MPO": "JPEG"}
THUMBNAIL_EDGE = 480
JPEG_QUALITY = 90


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    thumbnail: bytes
    width: int
    height: int


def _jpeg(image: Image.Image, icc_profile: bytes | None, quality: int = JPEG_QUALITY) -> bytes:
    out = io.BytesIO()
    options: dict[str, object] = {"quality": quality, "optimize": True}
    if icc_profile:
        options["icc_profile"] = icc_profile
    image.save(out, "JPEG", **options)
    return out.getvalue()


def clean_photo(upload: UploadedFile) -> CleanImage:
    """The upload re-encoded without metadata, and its thumbnail; ValidationError (keyed
    "image") when it is too large, not an image, or an image format we do not take."""
    limit = settings.PATIENT_PHOTO_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            {"image": f"The file is larger than {limit // (1024 * 1024)} MB."}, code="too_large"
        )
    try:
        upload.seek(0)
        # A decompression bomb (a tiny file that decodes to billions of pixels) is refused.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as probe:
                probe.verify()
            upload.seek(0)
            image = Image.open(upload)
            image.load()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise ValidationError(
            {"image": "This file is not a photo we can read. Upload a JPEG, PNG or WebP image."},
            code="not_an_image",
        ) from exc
    if image.format not in ACCEPTED_FORMATS:
        raise ValidationError(
            {"image": f"{image.format} images are not accepted. Upload a JPEG, PNG or WebP."},
            code="format",
        )
    icc_profile = image.info.get("icc_profile")
    upright = ImageOps.exif_transpose(image)
    if upright.mode not in ("RGB", "L"):
        background = Image.new("RGB", upright.size, "white")
        rgba = upright.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        upright = background
        # The profile described the old colour space (CMYK, palette…), not these pixels.
        icc_profile = None
    # A fresh image holds the pixels only: no EXIF, XMP, comments or embedded thumbnails.
    bare = Image.frombytes(upright.mode, upright.size, upright.tobytes())
    thumb = bare.copy()
    thumb.thumbnail((THUMBNAIL_EDGE, THUMBNAIL_EDGE))
    return CleanImage(
        content=_jpeg(bare, icc_profile),
        thumbnail=_jpeg(thumb, icc_profile, quality=82),
        width=bare.width,
        height=bare.height,
    )


SIGNATURE_MAX_BYTES = 300 * 1024


def clean_signature(data: bytes) -> bytes:
    """A drawn signature, as PNG bytes re-encoded by Pillow (so nothing else rides along)."""
    if len(data) > SIGNATURE_MAX_BYTES:
        raise ValidationError({"signature": "The drawn signature is too large."})
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "PNG":
                raise ValidationError({"signature": "The drawn signature must be a PNG image."})
            rgba = image.convert("RGBA")
            bare = Image.frombytes("RGBA", rgba.size, rgba.tobytes())
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValidationError({"signature": "The drawn signature could not be read."}) from exc
    out = io.BytesIO()
    bare.save(out, "PNG", optimize=True)
    return out.getvalue()
