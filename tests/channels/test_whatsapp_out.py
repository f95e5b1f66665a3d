"""WhatsApp outbound bodies and the templates file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.channels.textsplit import utf16_len
from bot.channels.whatsapp.outbound import reply_to_bodies, template_body, truncate
from bot.channels.whatsapp.templates import (
    NOTICE_KINDS,
    TemplateConfigError,
    TemplateParamsError,
    TemplateSpec,
    load_templates,
)
from bot.chat.messages import Attachment, Choice, Reply

TO = "6281234567890"
EXAMPLE = Path(__file__).parent.parent.parent / "docs" / "whatsapp-templates.example.json"


def choices(count: int, title: str = "Pilihan") -> tuple[Choice, ...]:
    return tuple(Choice(id=f"v1:s1:q1:{n}", title=f"{title} {n}") for n in range(1, count + 1))


def test_plain_text() -> None:
    assert reply_to_bodies(TO, Reply("Terima kasih.")) == [
        {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": TO,
            "type": "text",
            "text": {"preview_url": False, "body": "Terima kasih."},
        }
    ]


def test_bsuid_goes_in_recipient() -> None:
    [body] = reply_to_bodies("ID.4471923058816620", Reply("Halo"))
    assert body["recipient"] == "ID.4471923058816620" and "to" not in body


def test_long_text_is_split_at_4096() -> None:
    text = "\n\n".join(f"Paragraf {n}. " + "kata " * 300 for n in range(8))
    bodies = reply_to_bodies(TO, Reply(text))
    assert len(bodies) > 1
    assert all(b["type"] == "text" and 0 < len(b["text"]["body"]) <= 4096 for b in bodies)
    assert " ".join(" ".join(b["text"]["body"].split()) for b in bodies) == " ".join(text.split())


@pytest.mark.parametrize("count", [2, 3])
def test_up_to_three_choices_are_reply_buttons(count: int) -> None:
    [body] = reply_to_bodies(TO, Reply("Apakah koperasi mengadakan RAT?", choices(count)))
    interactive = body["interactive"]
    assert interactive["type"] == "button"
    assert interactive["body"] == {"text": "Apakah koperasi mengadakan RAT?"}
    assert [b["reply"] for b in interactive["action"]["buttons"]] == [
        {"id": f"v1:s1:q1:{n}", "title": f"Pilihan {n}"} for n in range(1, count + 1)
    ]


@pytest.mark.parametrize("count", [4, 10])
def test_four_to_ten_choices_are_a_list(count: int) -> None:
    [body] = reply_to_bodies(TO, Reply("Pilih jenis koperasi.", choices(count)))
    interactive = body["interactive"]
    assert interactive["type"] == "list"
    assert interactive["action"]["button"] == "Pilih"
    [section] = interactive["action"]["sections"]
    assert [row["id"] for row in section["rows"]] == [c.id for c in choices(count)]


def test_more_than_ten_choices_are_numbered_text() -> None:
    [body] = reply_to_bodies(TO, Reply("Pilih kecamatan.", choices(11, "Kecamatan")))
    assert body["type"] == "text"
    text = body["text"]["body"]
    assert text.startswith("Pilih kecamatan.\n\n1. Kecamatan 1\n2. Kecamatan 2\n")
    assert "11. Kecamatan 11" in text and "nomor" in text


def test_no_choices_and_no_text_sends_nothing() -> None:
    assert reply_to_bodies(TO, Reply("   ")) == []


def test_choices_without_text_get_a_prompt() -> None:
    [body] = reply_to_bodies(TO, Reply("", choices(2)))
    assert body["interactive"]["body"]["text"] == "Silakan pilih:"


def test_button_titles_are_truncated_to_20() -> None:
    reply = Reply("Lanjut?", (Choice("a", "Lanjutkan laporan bulan ini"), Choice("b", "Tidak")))
    [body] = reply_to_bodies(TO, reply)
    titles = [b["reply"]["title"] for b in body["interactive"]["action"]["buttons"]]
    assert titles == ["Lanjutkan laporan…", "Tidak"]
    assert all(len(t) <= 20 for t in titles)


def test_buttons_whose_short_titles_collide_become_a_list_with_full_titles() -> None:
    reply = Reply(
        "Ubah bagian mana?",
        (Choice("a", "Simpanan Pokok Anggota Lama"), Choice("b", "Simpanan Pokok Anggota Baru")),
    )
    [body] = reply_to_bodies(TO, reply)
    rows = body["interactive"]["action"]["sections"][0]["rows"]
    assert body["interactive"]["type"] == "list"
    assert all(len(row["title"]) <= 24 for row in rows)
    assert [row["description"] for row in rows] == ["Simpanan Pokok Anggota Lama", "Simpanan Pokok Anggota Baru"]


def test_list_rows_respect_limits() -> None:
    long = Choice("x", "Koperasi Simpan Pinjam dan Pembiayaan Syariah", "d" * 100)
    reply = Reply("Pilih.", (long, *choices(4)))
    rows = reply_to_bodies(TO, reply)[0]["interactive"]["action"]["sections"][0]["rows"]
    assert len(rows[0]["title"]) <= 24 and rows[0]["title"].endswith("…")
    assert len(rows[0]["description"]) <= 72


def test_long_text_with_choices_sends_leading_text_then_the_interactive() -> None:
    text = "\n\n".join(f"Baris {n}: " + "angka " * 60 for n in range(12))
    bodies = reply_to_bodies(TO, Reply(text, choices(2)))
    *leading, last = bodies
    assert leading and all(b["type"] == "text" for b in leading)
    assert last["type"] == "interactive"
    assert 0 < len(last["interactive"]["body"]["text"]) <= 1024
    sent = " ".join([*(b["text"]["body"] for b in leading), last["interactive"]["body"]["text"]])
    assert " ".join(sent.split()) == " ".join(text.split())


def test_attachment_is_sent_by_media_id_before_the_choices() -> None:
    picture = Attachment("photo", "radar.png", "image/png", b"\x89PNG", caption="Radar tujuh aspek")
    bodies = reply_to_bodies(TO, Reply("Skor: 72,40", choices(2), attachment=picture), media_id="1013859600285441")
    assert [b["type"] for b in bodies] == ["image", "interactive"]
    assert bodies[0]["image"] == {"id": "1013859600285441", "caption": "Radar tujuh aspek"}


def test_document_carries_its_filename() -> None:
    pdf = Attachment("document", "rekap-2026-05.pdf", "application/pdf", b"%PDF")
    bodies = reply_to_bodies(TO, Reply("Rekap Mei 2026", attachment=pdf), media_id="77")
    assert [b["type"] for b in bodies] == ["text", "document"]
    assert bodies[1]["document"] == {"id": "77", "filename": "rekap-2026-05.pdf"}


def test_attachment_without_media_id_is_a_programming_error() -> None:
    pdf = Attachment("document", "a.pdf", "application/pdf", b"%PDF")
    with pytest.raises(ValueError, match="media id"):
        reply_to_bodies(TO, Reply("x", attachment=pdf))


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("Ya", 20, "Ya"),
        ("Lanjutkan  laporan\nbulan ini", 40, "Lanjutkan laporan bulan ini"),
        ("Lanjutkan laporan bulan ini", 20, "Lanjutkan laporan…"),
        ("Simpanpinjamsyariahkoperasi", 20, "Simpanpinjamsyariah…"),
        ("Hati 🙏🙏🙏🙏🙏🙏🙏🙏🙏🙏", 20, "Hati 🙏🙏🙏🙏🙏🙏🙏…"),
    ],
)
def test_truncate(text: str, limit: int, expected: str) -> None:
    assert truncate(text, limit) == expected
    assert utf16_len(truncate(text, limit)) <= limit


# -- templates -----------------------------------------------------------------------------------

REMINDER = TemplateSpec(
    "pengingat_laporan_bulanan", "id", ("name", "cooperative", "period", "deadline"), ("start_payload",)
)
PARAMS = {
    "name": "Bu Siti",
    "cooperative": "KSP Maju Bersama",
    "period": "Mei 2026",
    "deadline": "10 Juni 2026",
    "start_payload": "lapor:2026-05",
}


def test_template_body_with_body_values_and_a_quick_reply_payload() -> None:
    body = template_body(TO, REMINDER, PARAMS)
    assert body["type"] == "template" and body["to"] == TO
    template = body["template"]
    assert template["name"] == "pengingat_laporan_bulanan" and template["language"] == {"code": "id"}
    assert template["components"] == [
        {
            "type": "body",
            "parameters": [
                {"type": "text", "text": "Bu Siti"},
                {"type": "text", "text": "KSP Maju Bersama"},
                {"type": "text", "text": "Mei 2026"},
                {"type": "text", "text": "10 Juni 2026"},
            ],
        },
        {
            "type": "button",
            "sub_type": "quick_reply",
            "index": "0",
            "parameters": [{"type": "payload", "payload": "lapor:2026-05"}],
        },
    ]


def test_template_values_positional_named_and_whitespace() -> None:
    positional = template_body(TO, REMINDER, ("Bu\nSiti", "KSP  \t Maju", "Mei 2026", "", "lapor:2026-05"))
    texts = [p["text"] for p in positional["template"]["components"][0]["parameters"]]
    assert texts == ["Bu Siti", "KSP Maju", "Mei 2026", "-"]
    named = TemplateSpec("x", "id", ("name",), parameter_format="named")
    assert template_body(TO, named, {"name": "Siti"})["template"]["components"][0]["parameters"] == [
        {"type": "text", "text": "Siti", "parameter_name": "name"}
    ]
    assert "components" not in template_body(TO, TemplateSpec("hello", "id"), {})["template"]


def test_template_values_that_do_not_fit() -> None:
    with pytest.raises(TemplateParamsError, match="period, start_payload"):
        template_body(TO, REMINDER, {"name": "a", "cooperative": "b", "deadline": "c"})
    with pytest.raises(TemplateParamsError, match="takes 5 values, got 2"):
        template_body(TO, REMINDER, ("a", "b"))


def test_example_templates_file_covers_every_notice_kind() -> None:
    specs = load_templates(EXAMPLE)
    assert set(specs) == NOTICE_KINDS
    assert specs["report_reminder"] == TemplateSpec(
        "pengingat_laporan_bulanan",
        "id",
        ("name", "cooperative", "period", "deadline"),
        ("start_payload", "later_payload"),
    )


def test_templates_in_toml(tmp_path: Path) -> None:
    path = tmp_path / "templates.toml"
    path.write_text('[rat_reminder]\nname = "pengingat_rat"\nlanguage = "id"\nparameters = ["name"]\n')
    assert load_templates(path) == {"rat_reminder": TemplateSpec("pengingat_rat", "id", ("name",))}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid json"),
        ("[]", "expected an object"),
        ('{"report_due": {"name": "a", "language": "id"}}', "entry 'report_due': unknown notice kind"),
        ('{"rat_reminder": "pengingat_rat"}', "entry 'rat_reminder': expected an object"),
        ('{"rat_reminder": {"name": "Pengingat RAT", "language": "id"}}', "entry 'rat_reminder': 'name'"),
        ('{"rat_reminder": {"name": "a", "language": "Indonesian"}}', "'language'"),
        ('{"rat_reminder": {"name": "a", "language": "id", "parameters": "name"}}', "'parameters' must be a list"),
        ('{"rat_reminder": {"name": "a", "language": "id", "parameters": ["n", "n"]}}', "names a value twice"),
        ('{"rat_reminder": {"name": "a", "language": "id", "params": []}}', "unknown field(s) params"),
    ],
)
def test_template_file_errors_name_the_file_and_entry(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "templates.json"
    path.write_text(content)
    with pytest.raises(TemplateConfigError) as caught:
        load_templates(path)
    assert str(path) in str(caught.value)
    assert message.lower() in str(caught.value).lower()


def test_missing_template_file(tmp_path: Path) -> None:
    with pytest.raises(TemplateConfigError, match="cannot read"):
        load_templates(tmp_path / "nope.json")


def test_comment_keys_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    entries: dict[str, Any] = {"_comment": "x", "announcement": {"name": "pengumuman_dinas", "language": "id"}}
    path.write_text(json.dumps(entries))
    assert list(load_templates(path)) == ["announcement"]
