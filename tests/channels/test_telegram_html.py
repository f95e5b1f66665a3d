"""A reply's template text as Telegram HTML: escaped, with the templates' *word* shown bold (and nothing else)."""

from __future__ import annotations

import pytest

from bot.channels.telegram.layout import to_html


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("Kas: Rp40.000.000\n2/79. Bank: Contoh: 48 jt.", "Kas: Rp40.000.000\n2/79. Bank: Contoh: 48 jt."),
        ("*Kas* dan *Bank*", "<b>Kas</b> dan <b>Bank</b>"),
        ("ketik *lapor*.", "ketik <b>lapor</b>."),
        ("baris\n*dua kata*\n", "baris\n<b>dua kata</b>\n"),
        ("2*3*4 dan a*b*", "2*3*4 dan a*b*"),  # stars inside a word are not emphasis
        ("**x** dan *x**", "**x** dan *x**"),  # nor doubled ones
        ("* x * dan *x * dan * x*", "* x * dan *x * dan * x*"),  # nor stars beside a space
        ("*dua\nbaris*", "*dua\nbaris*"),  # nor across a line
        ("*a < b & c*", "<b>a &lt; b &amp; c</b>"),
        ('"kutip" <b>', '"kutip" &lt;b&gt;'),
        ("(*ya*) *", "(<b>ya</b>) *"),
    ],
)
def test_template_text_is_escaped_and_its_starred_words_bold(text: str, html: str) -> None:
    assert to_html(text) == html
