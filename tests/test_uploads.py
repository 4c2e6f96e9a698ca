"""The upload door (inquiry/uploads.py) against hostile images: a decompression bomb is
refused from its header before anything is decoded, and a re-encoded image keeps its
pixels and nothing else (no EXIF or GPS, XMP, ICC profile, comment, IPTC, any APPn, PNG
text chunks)."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageFile, PngImagePlugin

from inquiry import uploads
from inquiry.models import Evidence
from tests.factories import make_cycle


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def check(name: str, data: bytes) -> uploads.Checked:
    return uploads.check_upload(
        SimpleUploadedFile(name, data), accept=uploads.IMAGES, max_bytes=10 << 20, field="file"
    )


# --- Decompression bombs ----------------------------------------------------------------


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def black_png(width: int, height: int) -> bytes:
    """A whole, valid black PNG, one bit a pixel: a few KB that decode to width x height
    bytes. Built a row at a time, so making it costs the test no memory."""
    row = bytes(1 + (width + 7) // 8)  # filter byte, then the row's bits
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


@pytest.fixture
def no_decoding(monkeypatch):
    """Decoding fails the test: what is refused must be refused from its header."""

    def load(self):
        raise AssertionError("the image was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)


@pytest.mark.parametrize("width, height", [(7072, 7072), (10000, 9999)])
def test_an_image_over_50_megapixels_is_refused_before_it_is_decoded(no_decoding, width, height):
    # 7072 x 7072 is just over the limit; 10000 x 9999 is the audit's (under Pillow's
    # error at twice its limit, where Pillow only warns).
    data = black_png(width, height)
    assert len(data) < 300_000
    with pytest.raises(ValidationError, match="50 megapixels") as error:
        check("bomb.png", data)
    assert "file" in error.value.message_dict


def test_our_limit_holds_even_with_pillows_own_turned_off(no_decoding, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)
    with pytest.raises(ValidationError, match="7072 × 7072 pixels"):
        check("bomb.png", black_png(7072, 7072))


def test_the_evidence_page_refuses_a_bomb_with_a_form_error_and_saves_nothing(
    teacher_client, teacher, media, no_decoding
):
    cycle = make_cycle(owner=teacher, stage="try")
    upload = SimpleUploadedFile("work.png", black_png(10000, 9999))
    response = teacher_client.post(
        reverse("inquiry:cycle-evidence-add", args=[cycle.pk]), {"kind": "photo", "file": upload}
    )
    assert response.status_code == 200
    assert "50 megapixels" in response.content.decode()
    assert not Evidence.objects.exists()
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


# --- Metadata ---------------------------------------------------------------------------

SECRETS = [
    b"PhoneMaker",  # EXIF Make
    b"SECRET-GPS-AREA",  # EXIF GPS
    b"SECRET-XMP",
    b"SECRET-ICC",
    b"SECRET-COMMENT",
    b"SECRET-IPTC",
    b"SECRET-APP9",
]


def exif_with_gps(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    if orientation:
        exif[0x0112] = orientation
    # GPS: 51°30' N, 0°7' W, and where (GPSAreaInformation, in ASCII).
    exif[0x8825] = {
        1: "N",
        2: (51.0, 30.0, 0.0),
        3: "W",
        4: (0.0, 7.0, 0.0),
        28: b"ASCII\0\0\0SECRET-GPS-AREA",
    }
    return exif


def icc_profile_describing(text: bytes) -> bytes:
    """A small ICC profile (v2) whose description tag says `text`."""
    desc = b"desc" + bytes(4) + struct.pack(">I", len(text) + 1) + text + b"\0" + bytes(78)
    tags = struct.pack(">I4sII", 1, b"desc", 128 + 12, len(desc))
    size = 128 + len(tags) + len(desc)
    header = struct.pack(
        ">I4sI4s4s4s12s4s", size, b"none", 0x02100000, b"mntr", b"RGB ", b"XYZ ", bytes(12), b"acsp"
    )
    return header.ljust(128, b"\0") + tags + desc


XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-'
    b'rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" '
    b'dc:creator="SECRET-XMP"/></rdf:RDF></x:xmpmeta>'
)


def jpeg_segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def iptc_segment(text: bytes) -> bytes:
    """APP13 as Photoshop writes it: an IPTC record (2:80, the byline) in an 8BIM block."""
    record = b"\x1c\x02\x50" + struct.pack(">H", len(text)) + text
    block = b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(record)) + record
    return jpeg_segment(0xED, b"Photoshop 3.0\0" + block)


def jpeg_full_of_metadata(orientation: int | None = None) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(
        out,
        "JPEG",
        exif=exif_with_gps(orientation),
        xmp=XMP,  # APP1 with the XMP namespace
        icc_profile=icc_profile_describing(b"SECRET-ICC"),  # APP2
        comment=b"SECRET-COMMENT",  # COM
    )
    data = out.getvalue()
    extra = iptc_segment(b"SECRET-IPTC") + jpeg_segment(0xE9, b"Vendor\0SECRET-APP9")
    return data[:2] + extra + data[2:]  # right after SOI


def jpeg_markers(data: bytes) -> list[tuple[int, bytes]]:
    """The segments of a JPEG up to its image data: (marker, payload)."""
    assert data[:2] == b"\xff\xd8"
    segments, at = [], 2
    while True:
        assert data[at] == 0xFF
        marker = data[at + 1]
        if marker == 0xD9:  # EOI
            return segments
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        segments.append((marker, data[at + 4 : at + 2 + length]))
        if marker == 0xDA:  # SOS: the entropy-coded data follows
            return segments
        at += 2 + length


def png_chunks(data: bytes) -> list[bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    kinds, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kinds.append(data[at + 4 : at + 8])
        at += 12 + length
    return kinds


def test_a_jpeg_keeps_no_metadata_segment_at_all():
    data = jpeg_full_of_metadata()
    sent = {marker for marker, _ in jpeg_markers(data)}
    assert {0xE1, 0xE2, 0xED, 0xE9, 0xFE} <= sent  # EXIF and XMP, ICC, IPTC, APP9, COM
    assert all(secret in data for secret in SECRETS)

    stored = check("work.jpg", data).content.read()

    segments = jpeg_markers(stored)
    app_or_comment = [(m, p) for m, p in segments if 0xE0 <= m <= 0xEF or m == 0xFE]
    # Only the JFIF header libjpeg writes for the format itself: version and pixel density.
    assert app_or_comment == [(0xE0, app_or_comment[0][1])]
    assert app_or_comment[0][1].startswith(b"JFIF\0") and len(app_or_comment[0][1]) == 14
    assert not [secret for secret in SECRETS if secret in stored]
    image = Image.open(io.BytesIO(stored))
    assert not image.getexif() and not image.info.get("icc_profile")
    assert "comment" not in image.info and "xmp" not in image.info


def test_a_photo_is_turned_the_right_way_up_before_its_exif_goes():
    stored = check("work.jpg", jpeg_full_of_metadata(orientation=6)).content.read()
    image = Image.open(io.BytesIO(stored))
    assert image.size == (30, 40)  # rotated a quarter turn, as the camera said
    assert not image.getexif()


def png_full_of_metadata() -> bytes:
    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "SECRET-TEXT")  # tEXt
    text.add_text("Comment", "SECRET-ZTXT", zip=True)  # zTXt
    text.add_itxt("Description", "SECRET-ITXT", lang="en")  # iTXt
    out = io.BytesIO()
    Image.new("RGBA", (40, 30), "teal").save(
        out,
        "PNG",
        pnginfo=text,
        exif=exif_with_gps(),  # eXIf
        icc_profile=icc_profile_describing(b"SECRET-ICC"),  # iCCP
    )
    return out.getvalue()


def gif_full_of_metadata() -> bytes:
    out = io.BytesIO()
    Image.new("P", (40, 30)).save(out, "GIF", comment=b"SECRET-COMMENT")
    return out.getvalue()


def webp_full_of_metadata() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(
        out,
        "WEBP",
        exif=exif_with_gps(),
        xmp=XMP,
        icc_profile=icc_profile_describing(b"SECRET-ICC"),
    )
    return out.getvalue()


PIXELS_ONLY = {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"}


@pytest.mark.parametrize(
    "name, make, secrets",
    [
        ("work.png", png_full_of_metadata, [b"SECRET-TEXT", b"SECRET-ITXT", b"PhoneMaker"]),
        ("work.gif", gif_full_of_metadata, [b"SECRET-COMMENT"]),
        ("work.webp", webp_full_of_metadata, [b"SECRET-XMP", b"PhoneMaker"]),
    ],
)
def test_other_images_become_pngs_of_pixels_only(name, make, secrets):
    data = make()
    assert all(secret in data for secret in secrets)  # (zTXt and iCCP are compressed)

    checked = check(name, data)
    stored = checked.content.read()

    assert checked.kind is uploads.PNG
    assert set(png_chunks(stored)) <= PIXELS_ONLY
    assert not [s for s in [*SECRETS, b"SECRET-TEXT", b"SECRET-ITXT"] if s in stored]
    image = Image.open(io.BytesIO(stored))
    assert not image.getexif() and not image.info.get("icc_profile") and not image.text
