"""Reading untrusted XML and zip files: limits, and the refusals a hostile file gets.

XML goes through :mod:`defusedxml` with DTDs forbidden, so no entity is ever declared:
external entities (XXE), billion-laughs expansion and network look-ups cannot happen.
Zip archives are checked from their central directory before anything is inflated (member
count, each name, the declared sizes and the compression ratio) and then inflated with a
hard cap, since a forged header may understate a member's size.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring


class InterchangeFileProblem(Exception):
    """The file cannot be imported at all (nothing is written)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Limits:
    max_questions: int = 10_000
    max_unpacked_bytes: int = 64 * 1024 * 1024
    max_zip_members: int = 2_000
    max_compression_ratio: int = 100
    max_attribute_bytes: int = 64 * 1024
    max_text_bytes: int = 1024 * 1024


def parse_xml(data: bytes, limits: Limits, what: str = "The file") -> Element:
    """The root element of ``data``; :class:`InterchangeFileProblem` for a DTD or entity,
    malformed, truncated or wrongly encoded XML, or an attribute over the limit."""
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise InterchangeFileProblem(
            f"{what} declares a DTD or entities, which are refused (they can read server "
            "files or expand without bound).") from None
    except ParseError as error:
        line, column = getattr(error, "position", (0, 0))
        raise InterchangeFileProblem(
            f"{what} is not well-formed XML in its declared encoding (line {line}, column "
            f"{column}: {_reason(error)}). Is it truncated, or saved in another encoding "
            "than its XML declaration says?") from None
    except (ValueError, LookupError) as error:  # unknown encoding names, bad bytes
        raise InterchangeFileProblem(f"{what} cannot be decoded: {error}.") from None
    for element in root.iter():
        for name, value in element.attrib.items():
            if len(value) > limits.max_attribute_bytes:
                raise InterchangeFileProblem(
                    f"{what} has an attribute {local(name)!r} of {len(value)} characters; "
                    f"the most is {limits.max_attribute_bytes}.")
    return root


def _reason(error: ParseError) -> str:
    return str(error).split(":")[0]


def local(tag: str) -> str:
    """A tag or attribute name without its ``{namespace}``."""
    return tag.rsplit("}", 1)[-1]


def is_zip(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def read_zip(data: bytes, limits: Limits) -> dict[str, bytes]:
    """Every regular member of the archive, by its normalised name; refuses zip bombs and
    member names that escape the archive (zip slip)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as error:
        raise InterchangeFileProblem(f"The zip archive cannot be read ({error}).") from None
    if len(members) > limits.max_zip_members:
        raise InterchangeFileProblem(f"The archive has {len(members)} members; the most is "
                                     f"{limits.max_zip_members}.")
    total = 0
    for member in members:
        name = member.filename
        clean = posixpath.normpath(name.replace("\\", "/"))
        if name.startswith(("/", "\\")) or clean.startswith("..") or ":" in clean.split("/")[0]:
            raise InterchangeFileProblem(f"The archive member name {name!r} points outside the "
                                         "archive; the file is refused.")
        total += member.file_size
        if member.compress_size and member.file_size / member.compress_size > \
                limits.max_compression_ratio:
            raise InterchangeFileProblem(
                f"The archive member {name!r} inflates {member.file_size // member.compress_size}"
                f" times; the most is {limits.max_compression_ratio} (a zip bomb?).")
    if total > limits.max_unpacked_bytes:
        raise InterchangeFileProblem(f"The archive unpacks to {total} bytes; the most is "
                                     f"{limits.max_unpacked_bytes}.")
    files: dict[str, bytes] = {}
    budget = limits.max_unpacked_bytes
    try:
        for member in members:
            if member.is_dir():
                continue
            with archive.open(member) as handle:
                content = handle.read(min(member.file_size, budget) + 1)
            if len(content) > member.file_size or len(content) > budget:
                raise InterchangeFileProblem(f"The archive member {member.filename!r} is larger "
                                             "than its header says; the file is refused.")
            budget -= len(content)
            files[posixpath.normpath(member.filename.replace("\\", "/"))] = content
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as error:
        raise InterchangeFileProblem(f"The zip archive is damaged ({error}).") from None
    return files


def decode_text(data: bytes, what: str = "The file") -> str:
    """A text file (GIFT): UTF-8, with or without a byte-order mark."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InterchangeFileProblem(
            f"{what} is not UTF-8 (byte {error.start}); save it as UTF-8 and try again."
        ) from None
    if "\x00" in text:
        raise InterchangeFileProblem(f"{what} contains NUL bytes; it is not a text file.")
    return text
