"""The words of the engine's events in Indonesian and English."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from bot.domain.forms import Question, stored_decimal
from bot.domain.numbers import format_decimal, format_rupiah
from bot.domain.report_flow.state import NO, YES, Lang

PROBLEM_MESSAGES: Final[Mapping[str, Mapping[str, str]]] = {
    "empty": {
        "id": "Maaf, jawabannya masih kosong. Tulis angkanya, misalnya {example}.",
        "en": "Sorry, the answer is empty. Type the amount, for example {example}.",
    },
    "too_long": {
        "id": "Maaf, jawabannya terlalu panjang. Tulis angkanya saja, misalnya {example}.",
        "en": "Sorry, that is too long. Type just the amount, for example {example}.",
    },
    "words": {
        "id": "Maaf, belum bisa kami baca. Tulis angkanya saja, misalnya {example}.",
        "en": "Sorry, we could not read that. Type just the number, for example {example}.",
    },
    "unreadable": {
        "id": "Maaf, belum bisa kami baca. Tulis angkanya saja, misalnya {example}.",
        "en": "Sorry, we could not read that. Type just the number, for example {example}.",
    },
    "ambiguous": {
        "id": "Maaf, angkanya bisa dibaca dua cara. Pakai titik untuk ribuan dan koma untuk desimal, "
        "misalnya {example}.",
        "en": "Sorry, that number can be read two ways. Use dots for thousands and a comma for decimals, "
        "for example {example}.",
    },
    "ambiguous_unit": {
        "id": 'Maaf, "m" bisa berarti juta atau miliar. Tulis "jt" untuk juta atau "M" untuk miliar, '
        "misalnya {example}.",
        "en": 'Sorry, "m" could mean million or billion. Write "jt" for million or "M" for billion, '
        "for example {example}.",
    },
    "too_many_decimals": {
        "id": "Maaf, rupiah paling banyak 2 angka di belakang koma. Contoh: {example}.",
        "en": "Sorry, rupiah take at most 2 decimals. Example: {example}.",
    },
    "too_large": {
        "id": "Maaf, angkanya terlalu besar. Periksa lagi, misalnya {example}.",
        "en": "Sorry, that number is too large. Please check it, for example {example}.",
    },
    "not_whole": {
        "id": "Maaf, yang diminta bilangan bulat. Contoh: {example}.",
        "en": "Sorry, a whole number is needed. Example: {example}.",
    },
    "negative": {
        "id": "Maaf, angka ini tidak boleh minus. Tulis tanpa tanda minus, misalnya {example}.",
        "en": "Sorry, this figure cannot be negative. Type it without a minus sign, for example {example}.",
    },
    "expected_yes_no": {
        "id": "Maaf, jawab dengan Ya atau Tidak.",
        "en": "Sorry, please answer yes or no.",
    },
    "expected_choice": {
        "id": "Maaf, pilih salah satu jawaban yang tersedia.",
        "en": "Sorry, please pick one of the answers offered.",
    },
    "no_previous": {
        "id": "Maaf, belum ada angka bulan lalu. Tulis angkanya, misalnya {example}.",
        "en": "Sorry, there is no figure from last month. Type it, for example {example}.",
    },
    "nothing_to_keep": {
        "id": "Maaf, pertanyaan ini belum dijawab. Tulis jawabannya, misalnya {example}.",
        "en": "Sorry, this question has no answer yet. Type one, for example {example}.",
    },
    "unknown_choice": {
        "id": "Maaf, pilihan itu sudah tidak berlaku. Silakan jawab pertanyaan ini.",
        "en": "Sorry, that choice no longer applies. Please answer this question.",
    },
    "expected_still_same": {
        "id": "Maaf, belum bisa kami baca. Pilih *Masih sama* bila jawabannya tidak berubah, atau *Ada perubahan*.",
        "en": "Sorry, we could not read that. Choose *Still the same* if nothing changed, or *Something changed*.",
    },
    "choose_option": {
        "id": "Silakan pilih: Kirim, Ubah (nama bagian), atau Batal.",
        "en": "Please choose: Submit, Edit (section name), or Cancel.",
    },
    "finished": {
        "id": "Laporan ini sudah selesai.",
        "en": "This report is already finished.",
    },
}

OPTION_LABELS: Final[Mapping[str, Mapping[str, str]]] = {
    "same": {"id": "Sama seperti bulan lalu", "en": "Same as last month"},
    "keep": {"id": "Tetap {value}", "en": "Keep {value}"},
    "yes": {"id": "Ya", "en": "Yes"},
    "no": {"id": "Tidak", "en": "No"},
    "skip": {"id": "Lewati dulu", "en": "Skip for now"},
    "pause": {"id": "Lanjut nanti", "en": "Continue later"},
    "help": {"id": "Minta bantuan", "en": "Ask for help"},
    "back": {"id": "Kembali ke ringkasan", "en": "Back to summary"},
    "submit": {"id": "Kirim", "en": "Submit"},
    "edit": {"id": "Ubah {section}", "en": "Edit {section}"},
    "cancel": {"id": "Batal", "en": "Cancel"},
    "yes_keep": {"id": "Ya, benar", "en": "Yes, correct"},
    "no_fix": {"id": "Tidak, ubah", "en": "No, change it"},
    "still": {"id": "Masih sama", "en": "Still the same"},
    "changed": {"id": "Ada perubahan", "en": "Something changed"},
}
NOT_FILLED: Final = {"id": "belum diisi", "en": "not filled in"}
YES_NO_TEXT: Final = {"id": {YES: "Ya", NO: "Tidak"}, "en": {YES: "Yes", NO: "No"}}


def display_value(question: Question, value: str, lang: Lang = "id") -> str:
    """How a stored answer reads in the chat: "Rp12.300.000", "Ya", "1.250"."""
    if question.kind == "amount":
        amount = stored_decimal(value)
        return format_rupiah(amount) if amount is not None else value
    if question.kind == "yesno":
        return YES_NO_TEXT[lang].get(value, value)
    if question.kind == "integer":
        number = stored_decimal(value)
        return format_decimal(number, 0) if number is not None else value
    for option in question.options:
        if option.id == value:
            return option.label_id if lang == "id" else option.label_en
    return value


def echo(question: Question, value: str, lang: Lang = "id") -> str:
    """ "Kas: Rp12.300.000"."""
    return f"{question.short(lang)}: {display_value(question, value, lang)}"


def problem_message(code: str, example: str, lang: Lang = "id") -> str:
    """The friendly re-ask for a problem code."""
    template = PROBLEM_MESSAGES.get(code, PROBLEM_MESSAGES["unreadable"])[lang]
    return template.format(example=example)


def label(option: str, lang: Lang, **values: str) -> str:
    return OPTION_LABELS[option][lang].format(**values)
