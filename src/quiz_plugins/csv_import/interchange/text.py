"""HTML question text to the bank's plain text, and topics from category paths."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from xml.etree.ElementTree import Element, tostring

from quizcore.domain.questions import MAX_TOPIC_LENGTH

_BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre",
           "blockquote", "table", "ul", "ol"}


class _Text(HTMLParser):
    """Collects the text of an HTML fragment (stdlib parser: it never fetches anything and
    copes with the broken markup editors produce). Images and media say what they were."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.files: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCKS and self.parts:
            self.parts.append("\n")
        if tag in ("img", "audio", "video", "source", "a"):
            for name, value in attrs:
                if name in ("src", "href") and value and "@@PLUGINFILE@@" in value:
                    self.files.append(value.split("@@PLUGINFILE@@/", 1)[-1])
            if tag == "img":
                alt = dict(attrs).get("alt")
                if alt:
                    self.parts.append(f"[{alt}]")

    def handle_data(self, data):
        self.parts.append(data)


def html_to_text(markup: str) -> tuple[str, list[str]]:
    """The text of an HTML fragment and the ``@@PLUGINFILE@@`` files it referred to."""
    parser = _Text()
    parser.feed(markup)
    parser.close()
    text = "".join(parser.parts)
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(line for line in lines if line).strip(), parser.files


def plain(markup: str | None, text_format: str | None) -> tuple[str, list[str]]:
    """A text of Moodle's ``format`` attribute (html, plain_text, moodle_auto_format,
    markdown) as the bank's plain text."""
    if markup is None:
        return "", []
    if (text_format or "html") == "html" or re.search(r"<[a-zA-Z/][^>]*>", markup) and \
            text_format != "plain_text":
        return html_to_text(markup)
    return (unescape(markup) if text_format == "moodle_auto_format" else markup).strip(), []


def topic_of(path: str | None) -> str | None:
    """``$course$/top/Biology/Cells`` -> ``Biology/Cells``: context markers (``$course$``,
    ``$system$`` ...), ``top`` and Moodle's ``Default for ...`` categories are not topics."""
    if not path:
        return None
    parts = [part.strip() for part in re.split(r"(?<!/)/(?!/)", path) if part.strip()]
    parts = [part.replace("//", "/") for part in parts
             if not (part.startswith("$") and part.endswith("$")) and part != "top"
             and not part.startswith("Default for ")]
    topic = "/".join(parts)
    return topic[:MAX_TOPIC_LENGTH] or None


def xml_document(root: Element) -> bytes:
    """``root`` as a UTF-8 XML file with its declaration. Serialised to ``str`` and encoded
    once: ElementTree's own UTF-8 writer encodes every fragment separately, several times
    slower on a large bank."""
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n'
            + tostring(root, encoding="unicode").encode("utf-8"))
