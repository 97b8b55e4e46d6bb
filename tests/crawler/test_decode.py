"""Decoding page bytes: the charset a Chinese page declares is often wrong, and a wrong guess is mojibake."""

from __future__ import annotations

import codecs

from crawler.extract.decode import decode_html

TEXT = "<html><head>{meta}<title>检察机关开展司法救助</title></head><body><p>最高人民检察院发布典型案例,喆。</p></body></html>"


def page(meta: str = "") -> str:
    return TEXT.format(meta=meta)


def test_header_charset_wins_over_meta() -> None:
    body = page('<meta charset="utf-8">').encode("gbk")
    got = decode_html(body, {"Content-Type": "text/html; charset=GBK"})
    assert (got.encoding, got.method) == ("gbk", "http-header")
    assert "司法救助" in got.text


def test_meta_charset_when_header_has_none_or_a_server_default() -> None:
    body = page('<meta http-equiv="Content-Type" content="text/html; charset=gbk">').encode("gbk")
    for headers in ({}, {"content-type": "text/html; charset=ISO-8859-1"}):
        got = decode_html(body, headers)
        assert (got.encoding, got.method) == ("gbk", "meta")
        assert "最高人民检察院" in got.text


def test_bom_beats_a_wrong_declaration() -> None:
    body = codecs.BOM_UTF8 + page('<meta charset="gbk">').encode("utf-8")
    got = decode_html(body, {"Content-Type": "text/html; charset=gbk"})
    assert got.method == "bom" and "司法救助" in got.text and not got.text.startswith("\ufeff")


def test_gb2312_label_with_gbk_only_characters() -> None:
    body = page('<meta charset="gb2312">').encode("gbk")  # 喆 is not in GB2312
    got = decode_html(body, {})
    assert got.encoding == "gb18030" and "发布典型案例,喆" in got.text


def test_utf8_bytes_behind_a_gb2312_label() -> None:
    body = page('<meta charset="gb2312">').encode("utf-8")
    got = decode_html(body, {"Content-Type": "text/html; charset=gb2312"})
    assert got.encoding == "utf-8" and "司法救助" in got.text
    assert "charset_mismatch" in got.quality


def test_undeclared_gbk_is_detected_and_flagged() -> None:
    body = (page() * 5).encode("gbk")
    got = decode_html(body, {})
    assert got.method == "detected" and "encoding_detected" in got.quality
    assert "最高人民检察院发布典型案例" in got.text


def test_unknown_label_falls_through() -> None:
    body = page('<meta charset="x-no-such-charset">').encode("utf-8")
    got = decode_html(body, {})
    assert "司法救助" in got.text and "charset_unknown_label" in got.quality
