"""Telegram's text formatting rules: parse HTML / MarkdownV2 / Markdown into plain text plus
entities, rejecting what Telegram rejects so formatting bugs fail in tests, not in production.

Offsets and lengths are in UTF-16 code units, as in the Bot API.
"""

from __future__ import annotations

import re
from typing import Any

Entity = dict[str, Any]


class FormatError(ValueError):
    """Text Telegram would refuse; str(error) is the part after "can't parse entities: "."""


def utf16_len(text: str) -> int:
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode())


def parse_text(
    text: str, parse_mode: str | None, entities: list[Entity] | None = None
) -> tuple[str, list[Entity]]:
    """Return (displayed text, entities) with surrounding whitespace stripped like Telegram."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        plain, found = parse_html(text)
    elif mode == "markdownv2":
        plain, found = parse_markdown_v2(text)
    elif mode == "markdown":
        plain, found = parse_markdown(text)
    elif mode:
        raise FormatError(f"unsupported parse_mode {parse_mode!r}")  # Telegram: 400 too
    else:
        plain, found = text, list(entities or [])
    return _strip(plain, found)


def _strip(plain: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    stripped = plain.strip()
    if stripped == plain:
        return plain, entities
    lead = utf16_len(plain[: len(plain) - len(plain.lstrip())])
    size = utf16_len(stripped)
    kept: list[Entity] = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, size)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept


class _Builder:
    """Accumulates plain text and tracks its UTF-16 length for entity offsets."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.entities: list[Entity] = []

    def add(self, chunk: str) -> None:
        if chunk:
            self.parts.append(chunk)
            self.pos += utf16_len(chunk)

    def entity(self, kind: str, start: int, **extra: Any) -> None:
        if self.pos > start:
            self.entities.append(
                {"type": kind, "offset": start, "length": self.pos - start, **extra}
            )

    def result(self) -> tuple[str, list[Entity]]:
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.parts), self.entities


# ---------------------------------------------------------------- HTML

_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,8}|[A-Za-z][A-Za-z0-9]{0,31});")
_SPECIAL_RE = re.compile(r"[<&]")
_TAG_NAME_RE = re.compile(r"[^\s>]*")
_ATTR_NAME_RE = re.compile(r"[^\s=>]+")
_UNQUOTED_RE = re.compile(r"[^\s>]*")
_SPACE_RE = re.compile(r"\s*")


def _decode_entity(text: str, index: int) -> tuple[str, int] | None:
    """Decode the character entity at text[index] ('&'); None if it is a literal '&'."""
    match = _ENTITY_RE.match(text, index)
    if not match:
        return None
    name = match.group(1)
    if name.startswith("#"):
        code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
        if not 0 < code <= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise FormatError(
                f"Invalid character entity at byte offset {_byte_offset(text, index)}"
            )
        return chr(code), match.end()
    if name not in _NAMED_ENTITIES:
        raise FormatError(
            f'Unsupported HTML entity "&{name};" at byte offset {_byte_offset(text, index)}'
        )
    return _NAMED_ENTITIES[name], match.end()


def _unescape(text: str) -> str:
    out: list[str] = []
    i = 0
    while (j := text.find("&", i)) != -1:
        out.append(text[i:j])
        decoded = _decode_entity(text, j)
        if decoded is None:
            out.append("&")
            i = j + 1
        else:
            out.append(decoded[0])
            i = decoded[1]
    out.append(text[i:])
    return "".join(out)


def parse_html(text: str) -> tuple[str, list[Entity]]:
    """Telegram's HTML dialect (mirrors tdlib's parse_html error messages)."""
    out = _Builder()
    # open tags: (tag name, start offset, attributes)
    stack: list[tuple[str, int, dict[str, str]]] = []
    pre_language: dict[int, str] = {}  # stack depth of a <pre> -> language of its inner <code>
    i, n = 0, len(text)
    while i < n:
        match = _SPECIAL_RE.search(text, i)
        if not match:
            out.add(text[i:])
            break
        j = match.start()
        out.add(text[i:j])
        if text[j] == "&":
            decoded = _decode_entity(text, j)
            if decoded is None:
                out.add("&")
                i = j + 1
            else:
                out.add(decoded[0])
                i = decoded[1]
        elif text.startswith("</", j):
            i = _close_tag(text, j, out, stack, pre_language)
        else:
            name, attrs, i = _open_tag(text, j)
            stack.append((name, out.pos, attrs))
    if stack:
        raise FormatError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return out.result()


def _open_tag(text: str, begin: int) -> tuple[str, dict[str, str], int]:
    offset = _byte_offset(text, begin)
    unclosed = FormatError(f"Unclosed start tag at byte offset {offset}")
    n = len(text)
    match = _TAG_NAME_RE.match(text, begin + 1)
    name, i = match.group().lower(), match.end()
    if i >= n:
        raise unclosed
    if name not in _HTML_TAGS:
        raise FormatError(f'Unsupported start tag "{name}" at byte offset {offset}')
    attrs: dict[str, str] = {}
    while True:
        i = _SPACE_RE.match(text, i).end()
        if i >= n:
            raise unclosed
        if text[i] == ">":
            break
        attr_match = _ATTR_NAME_RE.match(text, i)
        if not attr_match:
            raise FormatError(f'Empty attribute name in the tag "{name}" at byte offset {offset}')
        attr, i = attr_match.group().lower(), attr_match.end()
        i = _SPACE_RE.match(text, i).end()
        value = ""
        if i < n and text[i] == "=":
            i = _SPACE_RE.match(text, i + 1).end()
            if i >= n:
                raise unclosed
            if text[i] in "\"'":
                end = text.find(text[i], i + 1)
                if end == -1:
                    raise unclosed
                value, i = text[i + 1 : end], end + 1
            else:
                value_match = _UNQUOTED_RE.match(text, i)
                value, i = value_match.group(), value_match.end()
            value = _unescape(value)
        attrs[attr] = value
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise FormatError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
    if name == "tg-emoji" and not attrs.get("emoji-id"):
        raise FormatError(f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {offset}')
    return name, attrs, i + 1


def _close_tag(
    text: str,
    begin: int,
    out: _Builder,
    stack: list[tuple[str, int, dict[str, str]]],
    pre_language: dict[int, str],
) -> int:
    offset = _byte_offset(text, begin)
    if not stack:
        raise FormatError(f"Unexpected end tag at byte offset {offset}")
    match = _TAG_NAME_RE.match(text, begin + 2)
    end_name = match.group().lower()
    i = _SPACE_RE.match(text, match.end()).end()
    if i >= len(text) or text[i] != ">":
        raise FormatError(f"Unclosed end tag at byte offset {offset}")
    name, start, attrs = stack.pop()
    if end_name and end_name != name:
        raise FormatError(
            f'Unmatched end tag at byte offset {offset}, expected "</{name}>", '
            f'found "</{end_name}>"'
        )
    kind = _HTML_TAGS[name]
    depth = len(stack)
    if name == "code" and stack and stack[-1][0] == "pre":
        language = attrs.get("class", "")
        if language.startswith("language-"):
            pre_language[depth - 1] = language[len("language-") :]
            return i + 1
    if kind == "pre":
        language = pre_language.pop(depth, None)
        if language:
            out.entity("pre", start, language=language)
        else:
            out.entity("pre", start)
    elif kind == "text_link":
        if attrs.get("href"):
            out.entity("text_link", start, url=attrs["href"])
    elif kind == "custom_emoji":
        out.entity("custom_emoji", start, custom_emoji_id=attrs["emoji-id"])
    elif kind == "blockquote" and "expandable" in attrs:
        out.entity("expandable_blockquote", start)
    else:
        out.entity(kind, start)
    return i + 1


# ---------------------------------------------------------------- MarkdownV2

_MD2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MD2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
}
_MD2_MARKERS = (
    ("||", "spoiler"),
    ("__", "underline"),
    ("*", "bold"),
    ("_", "italic"),
    ("~", "strikethrough"),
)


def parse_markdown_v2(text: str) -> tuple[str, list[Entity]]:
    """Telegram's MarkdownV2: markup characters must be escaped with a backslash."""
    out = _Builder()
    stack: list[tuple[str, str, int, int]] = []  # (marker, entity type, start pos, source index)
    language = ""  # of the open ``` block
    i, n = 0, len(text)

    def reserved(index: int) -> FormatError:
        return FormatError(
            f"Character '{text[index]}' is reserved and must be escaped with the preceding '\\'"
        )

    while i < n:
        char = text[i]
        if char == "\\" and i + 1 < n and 0 < ord(text[i + 1]) <= 126:
            out.add(text[i + 1])
            i += 2
            continue
        top = stack[-1][0] if stack else ""
        if top in ("`", "```"):
            if text.startswith(top, i):
                marker, kind, start, _ = stack.pop()
                if kind == "pre" and language:
                    out.entity(kind, start, language=language)
                else:
                    out.entity(kind, start)
                i += len(top)
            elif char == "`":
                raise reserved(i)
            else:
                out.add(char)
                i += 1
            continue
        if text.startswith("```", i):
            newline = text.find("\n", i + 3)
            language = text[i + 3 : newline] if newline != -1 else ""
            if newline == -1 or " " in language:
                language, i = "", i + 3
            else:
                i = newline + 1
            stack.append(("```", "pre", out.pos, i))
            continue
        if char == "`":
            stack.append(("`", "code", out.pos, i))
            i += 1
            continue
        if char == "[":
            stack.append(("[", "text_link", out.pos, i))
            i += 1
            continue
        if char == "]" and top == "[":
            if not text.startswith("(", i + 1):
                raise reserved(i)
            url, i = _md2_url(text, i + 2)
            _, _, start, _ = stack.pop()
            out.entity("text_link", start, url=url)
            continue
        if char == ">" and (i == 0 or text[i - 1] == "\n"):
            i += 1  # blockquote marker; kept simple: no entity
            continue
        for marker, kind in _MD2_MARKERS:
            if text.startswith(marker, i):
                if top == marker:
                    _, _, start, _ = stack.pop()
                    out.entity(kind, start)
                elif any(entry[0] == marker for entry in stack):
                    raise reserved(i)
                else:
                    stack.append((marker, kind, out.pos, i))
                i += len(marker)
                break
        else:
            if char in _MD2_RESERVED:
                raise reserved(i)
            out.add(char)
            i += 1
    if stack:
        _, kind, _, index = stack[-1]
        raise FormatError(
            f"Can't find end of {_MD2_NAMES[kind]} entity at byte offset "
            f"{_byte_offset(text, index)}"
        )
    return out.result()


def _md2_url(text: str, i: int) -> tuple[str, int]:
    url: list[str] = []
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            url.append(text[i + 1])
            i += 2
        elif text[i] == ")":
            return "".join(url), i + 1
        else:
            url.append(text[i])
            i += 1
    raise FormatError(f"Can't find end of a URL at byte offset {_byte_offset(text, i)}")


# ---------------------------------------------------------------- legacy Markdown

_MD_MARKERS = {"*": "bold", "_": "italic", "`": "code"}


def parse_markdown(text: str) -> tuple[str, list[Entity]]:
    """Legacy Markdown: *bold*, _italic_, `code`, ```pre```, [text](url); no nesting."""
    out = _Builder()
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.add(text[i + 1])
            i += 2
            continue
        marker = "```" if text.startswith("```", i) else char
        if marker not in ("```", "[", *_MD_MARKERS):
            out.add(char)
            i += 1
            continue
        closing = "]" if marker == "[" else marker
        end = text.find(closing, i + len(marker))
        if end == -1:
            raise FormatError(
                f"Can't find end of the entity starting at byte offset {_byte_offset(text, i)}"
            )
        start = out.pos
        out.add(text[i + len(marker) : end])
        i = end + len(closing)
        if marker == "[":
            close = text.find(")", i)
            if text.startswith("(", i) and close != -1:
                out.entity("text_link", start, url=text[i + 1 : close])
                i = close + 1
        else:
            out.entity("pre" if marker == "```" else _MD_MARKERS[marker], start)
    return out.result()
