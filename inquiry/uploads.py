"""Files teachers upload (module resources, classroom evidence): what a file is comes from
its content, never its name, and a photo of pupils' work is re-encoded so that nothing
but its pixels leaves the teacher's phone with it: no EXIF (camera, time, GPS position),
XMP, ICC profile, comment, IPTC or other APPn segment, no PNG text chunk.

`check_upload` is the one door: it reads the file, names its type from its first bytes
(and, for Office and OpenDocument files, the zip's own table of contents), refuses what
is empty, too big, of a type we don't take, or disguised (an HTML page called
`photo.jpg`), an image over MAX_IMAGE_PIXELS (from its header, before decoding it), and
returns what to store."""

import io
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_IMAGE_SIDE = 2560  # pixels: a photo of a page stays legible and stops being huge
# Width x height, read from the header before anything is decoded: a few hundred KB can
# declare a picture that takes gigabytes to decode (a "decompression bomb").
MAX_IMAGE_PIXELS = 50_000_000
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS  # Pillow's own check too (it only warns below 2x)
_TOO_LARGE = (
    f"we take images of up to {MAX_IMAGE_PIXELS // 1_000_000} megapixels (8000 × 6000, say): "
    "make it smaller, then try again."
)


@dataclass(frozen=True)
class Kind:
    content_type: str
    extensions: tuple[str, ...]  # the names it may come under; the first is the one we use
    label: str
    image: bool = False


PDF = Kind("application/pdf", (".pdf",), "PDF")
PNG = Kind("image/png", (".png",), "PNG image", image=True)
JPEG = Kind("image/jpeg", (".jpg", ".jpeg"), "JPEG image", image=True)
GIF = Kind("image/gif", (".gif",), "GIF image", image=True)
WEBP = Kind("image/webp", (".webp",), "WebP image", image=True)
DOCX = Kind(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    (".docx",),
    "Word document",
)
XLSX = Kind(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    (".xlsx",),
    "Excel spreadsheet",
)
PPTX = Kind(
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    (".pptx",),
    "PowerPoint slides",
)
ODT = Kind("application/vnd.oasis.opendocument.text", (".odt",), "OpenDocument text")
ODS = Kind("application/vnd.oasis.opendocument.spreadsheet", (".ods",), "OpenDocument sheet")
ODP = Kind("application/vnd.oasis.opendocument.presentation", (".odp",), "OpenDocument slides")
TEXT = Kind("text/plain", (".txt", ".md", ".csv"), "plain text")

DOCUMENTS = (PDF, DOCX, XLSX, PPTX, ODT, ODS, ODP, TEXT)
IMAGES = (PNG, JPEG, GIF, WEBP)
ACCEPTED = DOCUMENTS + IMAGES
_OOXML = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}
_ODF = {kind.content_type: kind for kind in (ODT, ODS, ODP)}
# Text that a browser would run or render as a page is never "plain text" here.
_ACTIVE_TEXT = (b"<!doctype", b"<html", b"<script", b"<svg", b"<?xml", b"<body", b"<iframe")


@dataclass(frozen=True)
class Checked:
    """What to store: the content (re-encoded for photos), its type, a safe name."""

    content: ContentFile
    kind: Kind
    size: int
    original_name: str


def sniff(data: bytes) -> Kind | None:
    """The type of a file from its content alone, or None if it is none we take."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"PK\x03\x04"):
        return _zipped(data)
    return _text(data)


def _zipped(data: bytes) -> Kind | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                return _ODF.get(archive.read("mimetype").decode("ascii", "replace").strip())
            if "[Content_Types].xml" in names:
                for prefix, kind in _OOXML.items():
                    if any(name.startswith(prefix) for name in names):
                        return kind
    except (zipfile.BadZipFile, KeyError, ValueError, RuntimeError):
        return None
    return None


def _text(data: bytes) -> Kind | None:
    if b"\x00" in data:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    head = text[:2048].lstrip().lower().encode()
    if any(marker in head for marker in _ACTIVE_TEXT):
        return None
    return TEXT


def check_upload(upload, *, accept: tuple[Kind, ...], max_bytes: int, field: str) -> Checked:
    """Read and check an uploaded file; raises ValidationError({field: ...}) with a
    sentence a teacher can act on. Images are decoded and re-encoded (orientation kept,
    every piece of metadata dropped, the longest side at most MAX_IMAGE_SIDE)."""
    name = PurePath(getattr(upload, "name", "") or "file").name[:200]
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError({field: f"That file is over {max_bytes // (1024 * 1024)} MB."})
    data = upload.read(max_bytes + 1)
    if not data:
        raise ValidationError({field: "That file is empty."})
    if len(data) > max_bytes:
        raise ValidationError({field: f"That file is over {max_bytes // (1024 * 1024)} MB."})
    kind = sniff(data)
    labels = ", ".join(sorted({k.label for k in accept}))
    if kind is None or kind not in accept:
        raise ValidationError({field: f"We can't take that kind of file here. We take: {labels}."})
    extension = PurePath(name).suffix.lower()
    if extension and extension not in kind.extensions:
        problem = (
            f"That file is called “{name}” but it is a {kind.label}: rename it, then try again."
        )
        raise ValidationError({field: problem})
    if kind.image:
        data, kind = _reencode(data, kind, field)
    stem = PurePath(name).stem[:100] or "file"
    return Checked(
        content=ContentFile(data, name=f"{stem}{kind.extensions[0]}"),
        kind=kind,
        size=len(data),
        original_name=name,
    )


def _reencode(data: bytes, kind: Kind, field: str) -> tuple[bytes, Kind]:
    """Decode the image and write it again: the pixels survive, the metadata does not.
    Its size is checked from the header first, so a bomb is refused, never decoded."""
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its limit and twice that: here it is a refusal. (The
            # filter is process-wide, not per thread: the header check below needs none.)
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:  # reads the header, decodes nothing
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    problem = f"That image is {width} × {height} pixels: {_TOO_LARGE}"
                    raise ValidationError({field: problem})
                image.load()
                image = ImageOps.exif_transpose(image)  # keep it the right way up, then drop EXIF
                image.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
                # Pillow writes some of what it read back out (a JPEG's comment, an ICC
                # profile into a PNG): keep only transparency, which is part of the pixels.
                image.info = {k: v for k, v in image.info.items() if k == "transparency"}
                out = io.BytesIO()
                if kind is JPEG:  # a photo stays a photo; the rest (drawings, scans) lossless
                    image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
                    return out.getvalue(), JPEG
                if image.mode not in ("RGB", "RGBA", "L", "LA"):
                    image = image.convert("RGBA")
                image.save(out, "PNG", optimize=True)
                return out.getvalue(), PNG
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError({field: f"That image is too large: {_TOO_LARGE}"}) from None
    except (UnidentifiedImageError, OSError, ValueError):
        raise ValidationError({field: "That image could not be read: is the file whole?"}) from None


def serve(stored, *, content_type: str, filename: str):
    """A stored upload as a response, for a view that has checked who may see it: its
    sniffed type, never sniffed again by the browser, sandboxed, images inline and the
    rest as downloads, and kept by no cache (access can be taken away)."""
    from django.http import FileResponse, Http404

    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404("That file is no longer here.") from None
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=not content_type.startswith("image/"),
        filename=filename,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response
