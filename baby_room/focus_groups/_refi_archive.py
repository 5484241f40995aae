"""Bounded, read-only access to REFI-QDA files: the ``.qdpx`` zip, a bare ``.qde``/``.qdc``.

Every file is untrusted. Members are read in memory (nothing is extracted to disk);
entries with absolute paths, drive letters or ``..`` are refused, and so are two entries
whose names differ only in letter case (which one a tool meant is unknowable). The
number of entries and the uncompressed size (per entry and in total) are bounded both
from the zip directory and while decompressing; the project XML has its own smaller
limit, because parsing takes many times its size in memory. XML is parsed with
:mod:`defusedxml` (no DTDs, no entity expansion, no external entities) and only in the
encodings XML parsers must support. Every problem raises
:class:`baby_room.errors.FileFormatError` naming the file and the limit or rule.
"""

from __future__ import annotations

import re
import struct
import zipfile
from pathlib import Path

from baby_room._files import regular_file
from baby_room.errors import FileFormatError

#: Largest number of entries accepted in a ``.qdpx`` archive.
MAX_ENTRIES = 10_000
#: Largest uncompressed size of one archive entry (256 MiB).
MAX_ENTRY_BYTES = 256 * 1024**2
#: Largest uncompressed size of all archive entries together (512 MiB).
MAX_TOTAL_BYTES = 512 * 1024**2
#: Largest project (``.qde``) or codebook (``.qdc``) XML (128 MiB): parsing takes about
#: ten times the file size in memory, so this bounds the reader to a few GB.
MAX_XML_BYTES = 128 * 1024**2

_CHUNK = 1 << 20
#: Encodings an XML declaration may name (XML 1.0 section 4.3.3 requires UTF-8 and
#: UTF-16; the others are single-byte encodings every tool can write).
_XML_ENCODINGS = re.compile(
    r"^(utf-?8|utf-?16(-?[lb]e)?|us-ascii|ascii|iso-8859-\d+|latin-?1|windows-125\d|cp125\d)$",
    re.IGNORECASE)


def check_regular_file(path, what: str) -> Path:
    """``path`` as a Path after checking it is a readable, non-empty regular file.

    Folders, FIFOs and devices are refused before they are opened (a FIFO would block
    for ever); an unreadable file is a FileFormatError, not a PermissionError.
    """
    regular_file(path, what=what)
    return Path(path)


def read_bounded(path, limit: int, what: str) -> bytes:
    """The bytes of a regular file no larger than ``limit`` (FileFormatError otherwise)."""
    p = check_regular_file(path, what)
    size = p.stat().st_size
    if size > limit:
        raise FileFormatError(path, f"file is {size:,} bytes, more than the {limit:,} allowed "
                              f"for a {what}")
    try:
        return p.read_bytes()
    except PermissionError:
        raise FileFormatError(path, "cannot be read: permission denied") from None
    except OSError as exc:
        raise FileFormatError(path, f"cannot be read ({exc.strerror or exc})") from None


class Archive:
    """Read-only, bounded, in-memory access to the members of an untrusted zip."""

    def __init__(self, path, *, max_entries, max_entry_bytes, max_total_bytes):
        self.path = path
        self.max_entry_bytes = max_entry_bytes
        p = check_regular_file(path, ".qdpx file")
        declared = _declared_entries(p)
        if declared is not None and declared > max_entries:
            raise FileFormatError(
                path, f"archive has {declared:,} entries, more than the {max_entries:,} allowed "
                "(possible zip bomb)")
        try:
            self.zip = zipfile.ZipFile(p)
            infos = self.zip.infolist()
        except zipfile.BadZipFile as exc:
            raise FileFormatError(
                path, f"is not a REFI-QDA project: not a zip archive ({exc})") from None
        except PermissionError:
            raise FileFormatError(path, "cannot be read: permission denied") from None
        except (OSError, EOFError, ValueError, NotImplementedError) as exc:
            raise FileFormatError(path, f"cannot be opened as a zip archive ({exc})") from None
        try:
            self._index(infos, max_entries, max_entry_bytes, max_total_bytes)
        except FileFormatError:
            self.zip.close()
            raise
        self.max_total_bytes = max_total_bytes
        self.read_total = 0

    def _index(self, infos, max_entries, max_entry_bytes, max_total_bytes):
        path = self.path
        if len(infos) > max_entries:
            raise FileFormatError(
                path, f"archive has {len(infos):,} entries, more than the {max_entries:,} allowed "
                "(possible zip bomb)")
        total = 0
        self.members: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            name = info.filename
            if unsafe_name(name):
                raise FileFormatError(
                    path, f"archive entry {name!r} has an absolute path or '..' (path traversal); "
                    "refusing to read the file")
            if info.file_size > max_entry_bytes:
                raise FileFormatError(
                    path, f"archive entry {name!r} is {info.file_size:,} bytes uncompressed, more "
                    f"than the {max_entry_bytes:,} allowed for one entry")
            total += info.file_size
            if total > max_total_bytes:
                raise FileFormatError(
                    path, f"archive uncompressed size exceeds the {max_total_bytes:,} bytes "
                    "allowed in total (possible zip bomb)")
            if name.endswith("/"):
                continue
            key = name.replace("\\", "/").lower()
            if key in self.members and self.members[key].filename != name:
                raise FileFormatError(
                    path, f"archive has two entries whose names differ only in letter case: "
                    f"{self.members[key].filename!r} and {name!r}; which one is meant cannot be "
                    "told (rename one and zip the project again)")
            self.members.setdefault(key, info)

    def close(self):
        self.zip.close()

    def find(self, name: str) -> zipfile.ZipInfo | None:
        return self.members.get(name.replace("\\", "/").lstrip("/").lower())

    def read(self, info: zipfile.ZipInfo, *, limit: int | None = None) -> bytes:
        limit = min(limit or self.max_entry_bytes, self.max_entry_bytes)
        if info.file_size > limit:
            raise FileFormatError(
                self.path, f"archive entry {info.filename!r} is {info.file_size:,} bytes, more "
                f"than the {limit:,} allowed for it")
        limit = min(limit, info.file_size)
        parts, size = [], 0
        try:
            with self.zip.open(info) as fh:
                while True:
                    chunk = fh.read(_CHUNK)
                    if not chunk:
                        break
                    size += len(chunk)
                    self.read_total += len(chunk)
                    if size > limit or self.read_total > self.max_total_bytes:
                        raise FileFormatError(
                            self.path, f"archive entry {info.filename!r} decompresses to more "
                            "bytes than its header declares or than allowed (possible zip bomb)")
                    parts.append(chunk)
        except FileFormatError:
            raise
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError,
                RuntimeError) as exc:
            raise FileFormatError(
                self.path, f"archive entry {info.filename!r} is damaged or cannot be read "
                f"({exc})") from None
        return b"".join(parts)


def _declared_entries(p: Path) -> int | None:
    """Entry count from the end-of-central-directory record, read before the directory.

    Lets a file that claims millions of entries be refused without zipfile first
    building millions of ZipInfo objects. None when the record cannot be found (the
    count is then checked after opening).
    """
    try:
        size = p.stat().st_size
        with open(p, "rb") as fh:
            back = min(size, 65_536 + 22)
            fh.seek(size - back)
            tail = fh.read(back)
            pos = tail.rfind(b"PK\x05\x06")
            if pos < 0 or pos + 22 > len(tail):
                return None
            count = struct.unpack_from("<H", tail, pos + 10)[0]
            if count != 0xFFFF:
                return count
            loc = tail.rfind(b"PK\x06\x07", 0, pos)
            if loc < 0:
                return None
            eocd64 = struct.unpack_from("<Q", tail, loc + 8)[0]
            fh.seek(eocd64)
            rec = fh.read(56)
            if rec[:4] != b"PK\x06\x06":
                return None
            return struct.unpack_from("<Q", rec, 32)[0]
    except PermissionError:
        raise FileFormatError(p, "cannot be read: permission denied") from None
    except (OSError, struct.error):
        return None


def unsafe_name(name: str) -> bool:
    """True for a member name with an absolute path, a drive letter, NUL or ``..``."""
    n = name.replace("\\", "/")
    if n.startswith("/") or re.match(r"^[A-Za-z]:", n) or "\x00" in n:
        return True
    return any(part == ".." for part in n.split("/"))


# --------------------------------------------------------------------------- XML


def _declared_encoding(data: bytes) -> str | None:
    head = data[:200]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[1:4:2] == b"\x00\x00":
        return None  # UTF-16: expat reads it (a declaration inside must agree)
    m = re.match(rb"^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']+)[\"']", head)
    return m.group(1).decode("ascii", "replace") if m else None


def parse_xml(data: bytes, path, member: str):
    """Parse untrusted REFI-QDA XML safely; FileFormatError naming ``path`` on any problem."""
    from xml.etree.ElementTree import ParseError

    import defusedxml
    import defusedxml.ElementTree as DET

    enc = _declared_encoding(data)
    if enc is not None and not _XML_ENCODINGS.match(enc.strip()):
        raise FileFormatError(
            path, f"{member}: the XML declares encoding {enc!r}; a REFI-QDA file must be UTF-8 "
            "or UTF-16 (or a single-byte encoding such as ISO-8859-1)")
    try:
        return DET.fromstring(data, forbid_dtd=True, forbid_entities=True,
                              forbid_external=True)
    except defusedxml.DTDForbidden:
        head = data[:65536]
        if b"<!ENTITY" in head and (b"SYSTEM" in head or b"PUBLIC" in head):
            what = "declares an external entity (<!ENTITY ... SYSTEM/PUBLIC>)"
        elif b"<!ENTITY" in head:
            what = "declares entities (<!ENTITY>; 'billion laughs' entity-expansion risk)"
        else:
            what = "has a document type declaration (<!DOCTYPE>)"
        raise FileFormatError(
            path, f"{member}: XML {what}; DTDs are not allowed in a REFI-QDA file, refusing "
            "to parse it") from None
    except defusedxml.EntitiesForbidden:
        raise FileFormatError(
            path, f"{member}: XML declares entities (<!ENTITY>), which are not allowed "
            "(entity-expansion 'billion laughs' risk)") from None
    except defusedxml.ExternalReferenceForbidden:
        raise FileFormatError(
            path, f"{member}: XML refers to an external entity or resource, which is not "
            "allowed") from None
    except defusedxml.DefusedXmlException as exc:
        raise FileFormatError(path, f"{member}: unsafe XML refused ({exc})") from None
    except ParseError as exc:
        raise FileFormatError(path, f"{member}: XML syntax error: {exc}") from None
    except (ValueError, LookupError) as exc:  # unknown or multi-byte encodings
        raise FileFormatError(path, f"{member}: XML cannot be decoded ({exc})") from None
    except MemoryError:
        raise FileFormatError(
            path, f"{member}: ran out of memory parsing the XML ({len(data):,} bytes; the limit "
            f"is {MAX_XML_BYTES:,})") from None


def ns_of(tag: str) -> str:
    """The namespace URI of an ElementTree tag (empty when none)."""
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def local(tag: str) -> str:
    """An ElementTree tag without its namespace."""
    return tag.rsplit("}", 1)[-1]


class FolderEntry:
    """A file beside a bare ``.qde``, shaped like a ``zipfile.ZipInfo`` for the readers."""

    def __init__(self, path: Path, name: str):
        self.path = path
        self.filename = name
        self.file_size = path.stat().st_size


class Folder:
    """The files beside a bare ``.qde`` (its ``sources/`` folder), read like an archive.

    Only files inside the folder are found (no ``..``, no links leading out), each
    bounded by ``max_entry_bytes``.
    """

    def __init__(self, folder: Path, *, max_entry_bytes: int):
        self.base = folder.resolve()
        self.max_entry_bytes = max_entry_bytes
        self.path = folder

    def find(self, name: str) -> FolderEntry | None:
        name = name.replace("\\", "/").lstrip("/")
        if unsafe_name(name):
            return None
        first, _, rest = name.partition("/")
        for cand in (name, f"{first.capitalize()}/{rest}" if rest else name):
            p = (self.base / cand)
            try:
                resolved = p.resolve()
            except OSError:
                continue
            if self.base in resolved.parents and resolved.is_file():
                return FolderEntry(resolved, cand)
        return None

    def read(self, entry: FolderEntry, *, limit: int | None = None) -> bytes:
        return read_bounded(entry.path, min(limit or self.max_entry_bytes, self.max_entry_bytes),
                            "source text")

    def close(self):
        pass
