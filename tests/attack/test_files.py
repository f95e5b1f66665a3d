"""Issue 13.12: `announce --file` checks what the file is, not only its name; a file name with control characters
is cleaned before it is stored or sent."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from urllib.parse import unquote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.chat.messages import Attachment, safe_filename
from bot.cli import main
from bot.services import announcements
from bot.words.attachments import FILE_TYPES, SIGNATURES
from storage.db import Database
from tests.fakes.telegram_api import FakeTelegram
from tests.test_announcement_files import PDF, officers_on, publish_circular, statuses, telegram_broadcast

HTML = b"<!DOCTYPE html>\n<html><head><title>Undangan</title></head><body><script>alert(1)</script></body></html>\n"


def office_file(folder: str) -> bytes:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}document.xml", "<x/>")
    return data.getvalue()


def refusal(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ValueError) as refused:
        announcements.attachment_from_file(path)
    return str(refused.value)


def test_html_saved_as_png_is_refused_by_the_command_in_both_languages(
    cli_workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (cli_workdir / "poster.png").write_bytes(HTML)
    args = ["announce", "--segment", "all", "--text", "Rapat koordinasi.", "--file", "poster.png", "--yes"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "poster.png: bukan berkas PNG yang sah (isinya tampaknya HTML/XML)" in err
    assert "not a valid PNG file (its content looks like HTML/XML)" in err
    assert not (cli_workdir / "kopsehat.db").exists()  # refused before anything was stored


@pytest.mark.parametrize(
    ("name", "data", "seen"),
    [
        ("foto.jpg", HTML, "HTML/XML"),
        ("foto.jpeg", b"MZ\x90\x00" + bytes(200), "EXE"),
        ("edaran.pdf", b"\x89PNG\r\n\x1a\n" + bytes(50), "PNG"),
        ("laporan.docx", PDF[:1000], "PDF"),
        ("laporan.xlsx", office_file("word/"), "ZIP"),  # a Word file renamed
        ("laporan.pptx", b"PK\x03\x04" + bytes(100), "ZIP"),  # a broken archive
        ("laporan.doc", HTML, "HTML/XML"),
        ("catatan.txt", b"teks\x00biner", "?"),
        ("catatan.txt", PDF[:500], "PDF"),
    ],
)
def test_content_other_than_the_name_says_is_refused(tmp_path: Path, name: str, data: bytes, seen: str) -> None:
    message = refusal(tmp_path, name, data)
    wanted = name.rsplit(".", 1)[1].upper()
    assert f"bukan berkas {wanted} yang sah" in message and f"not a valid {wanted} file" in message
    assert (f"tampaknya {seen}" if seen != "?" else "tidak dikenali") in message


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("poster.png", b"\x89PNG\r\n\x1a\n" + bytes(100)),
        ("foto.JPG", b"\xff\xd8\xff\xe0" + bytes(100)),
        ("edaran.pdf", PDF[:2000]),
        ("lama.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)),
        ("laporan.xlsx", office_file("xl/")),
        ("surat.docx", office_file("word/")),
        ("paparan.pptx", office_file("ppt/")),
        ("catatan.txt", b"Rapat anggota tahunan, Senin 9.00\n"),
    ],
)
def test_real_files_of_each_type_are_taken(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    assert announcements.attachment_from_file(path).data == data


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(suffix=st.sampled_from(sorted(SIGNATURES)), data=st.binary(min_size=1, max_size=300))
def test_bytes_without_the_type_signature_are_never_taken(tmp_path: Path, suffix: str, data: bytes) -> None:
    if data.startswith(SIGNATURES[suffix]):
        return
    path = tmp_path / f"berkas{suffix}"
    path.write_bytes(data)
    with pytest.raises(ValueError, match="bukan berkas"):
        announcements.attachment_from_file(path)


@given(name=st.text(min_size=0, max_size=400))
def test_any_file_name_is_cleaned_to_one_line_without_control_characters(name: str) -> None:
    clean = safe_filename(name)
    assert 1 <= len(clean) <= 120
    assert all(ch.isprintable() for ch in clean), repr(clean)
    assert "/" not in clean and "\\" not in clean and '"' not in clean
    assert not clean.startswith(".")
    assert safe_filename(clean) == clean


async def test_a_file_name_with_control_characters_is_stored_and_sent_clean(
    db: Database, fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    await officers_on(db, "telegram")
    made = await publish_circular(db, tmp_path, name="edaran\r\nRAT\x1b[2J\u202e.pdf")
    assert made.attachment is not None and made.attachment["filename"] == "edaran RAT[2J.pdf"
    await telegram_broadcast(db, fake_telegram)
    [upload] = fake_telegram.uploads()
    assert unquote(upload.files["document"].filename or "") == "edaran RAT[2J.pdf"  # the form quotes it
    assert await statuses(db) == {"sent": 4}


def test_a_row_stored_before_with_such_a_name_is_cleaned_when_read() -> None:
    stored = {"kind": "document", "filename": "surat\n\x07.pdf", "content_type": "application/pdf", "data": ""}
    assert Attachment.from_json(stored).filename == "surat.pdf"
    assert set(FILE_TYPES) - set(SIGNATURES) == {".txt"}
