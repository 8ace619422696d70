"""Read a document's text: .txt/.md (UTF-8, with or without BOM, CRLF or LF), .docx, .pdf.

python-docx and pypdf are optional extras (`pip install "dtrack-vn[import]"`); a missing one is a
one-line message naming the extra, and a PDF without a text layer (a scan) is refused.
"""
from __future__ import annotations

from pathlib import Path

from dtrack.errors import DataError, UsageError
from dtrack.i18n import t

TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text")
SUFFIXES = TEXT_SUFFIXES + (".docx", ".pdf")
MAX_BYTES = 50 * 1024 * 1024
# What a .docx may unpack to (its zip members' declared sizes; zipfile never inflates a member past its
# declared size, and a member that lies fails its CRC), so a 2 MB archive cannot fill memory.
MAX_UNPACKED = 50 * 1024 * 1024
MAX_MEMBERS = 10_000
# python-docx holds each XML part as a tree of about ten times its size: a 100-page document's text is
# 1-5 MB of XML.
MAX_XML = 20 * 1024 * 1024
# The work one document may cost: a directive is a few hundred lines; these are hundreds of pages.
MAX_CHARS = 2_000_000
MAX_LINES = 20_000


def read_document(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise UsageError(t("{path}: dtrack import reads .txt, .md, .docx and .pdf files", path=path),
                         hint=t("Save the document as one of these (a .doc file: save it as .docx in Word)."))
    if not path.is_file():
        raise UsageError(t("{path}: no such file", path=path))
    if path.stat().st_size > MAX_BYTES:
        raise DataError(t("{path}: the file is too large to be a directive", path=path))
    if suffix == ".docx":
        text = _docx(path)
    elif suffix == ".pdf":
        text = _pdf(path)
    else:
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            line = raw.count(b"\n", 0, e.start) + 1
            raise DataError(t("{path}:{line}: not UTF-8 text; save the file as UTF-8", path=path, line=line)) from None
    if not text.strip():
        raise DataError(t("{path}: the document has no text", path=path))
    _check_work(path, len(text), text.count("\n") + 1)
    return text


def _check_work(path: Path, chars: int, lines: int) -> None:
    if chars > MAX_CHARS or lines > MAX_LINES:
        raise DataError(t("{path}: the document has {chars} characters in {lines} lines; dtrack imports up to "
                          "{max_chars} characters and {max_lines} lines (a directive has a few hundred lines)",
                          path=path, chars=chars, lines=lines, max_chars=MAX_CHARS, max_lines=MAX_LINES),
                        hint=t("Import the part of the document that assigns the tasks."))


def _docx(path: Path) -> str:
    try:
        import docx  # python-docx
    except ImportError:
        raise UsageError(t('reading .docx needs python-docx: pip install "dtrack-vn[docx]" (under pipx: pipx inject dtrack-vn python-docx)')) from None
    _check_archive(path)
    try:
        document = docx.Document(str(path))
    except Exception as e:  # noqa: BLE001 - python-docx raises many kinds for a bad file
        raise DataError(t("{path}: not a readable .docx file ({error})", path=path, error=type(e).__name__)) from None
    parts: list[str] = []
    # Body paragraphs and tables in document order: the header of a Vietnamese document is
    # usually a two-column table (issuer | motto, number | place and date).
    body = document.element.body
    for child in body.iterchildren():
        if _is(child, "p"):
            parts.append(_text_of(child))
        elif _is(child, "tbl"):
            parts.extend(_table_cells(child))
        if len(parts) > MAX_LINES:           # stop reading: the text would be refused anyway
            _check_work(path, sum(map(len, parts)), 2 * len(parts))
    return "\n\n".join(p.replace("\n", " ") for p in parts)


def _check_archive(path: Path) -> None:
    import zipfile
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
        raise DataError(t("{path}: not a readable .docx file ({error})", path=path, error=type(e).__name__)) from None
    unpacked = sum(m.file_size for m in members)
    if len(members) > MAX_MEMBERS or unpacked > MAX_UNPACKED:
        raise DataError(t("{path}: the .docx unpacks to {size} MB in {count} parts; a document has a few MB",
                          path=path, size=f"{unpacked / (1024 * 1024):.0f}", count=len(members)),
                        hint=t("Open it in Word and save it again, or save it as .pdf or .txt and import that."))
    biggest = max((m for m in members if m.filename.endswith((".xml", ".rels"))), key=lambda m: m.file_size,
                  default=None)
    if biggest is not None and biggest.file_size > MAX_XML:
        raise DataError(t("{path}: its part {part} unpacks to {size} MB; the text of a document is a few MB",
                          path=path, part=biggest.filename, size=f"{biggest.file_size / (1024 * 1024):.0f}"),
                        hint=t("Save it as .pdf or .txt and import that."))


def _is(node, name: str) -> bool:
    # Comments, processing instructions and entities in the XML are nodes whose tag is not a string.
    return isinstance(node.tag, str) and node.tag.endswith("}" + name)


def _text_of(p) -> str:
    return "".join(node.text or "" for node in p.iter() if _is(node, "t"))


def _table_cells(tbl):
    for row in tbl.iter():
        if not _is(row, "tc"):
            continue
        for p in row.iter():
            if _is(p, "p"):
                yield _text_of(p)


def _pdf(path: Path) -> str:
    try:
        import pypdf
    except ImportError:
        raise UsageError(t('reading .pdf needs pypdf: pip install "dtrack-vn[pdf]" (under pipx: pipx inject dtrack-vn pypdf)')) from None
    try:
        reader = pypdf.PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as e:  # noqa: BLE001 - pypdf raises many kinds for a damaged file
        raise DataError(t("{path}: not a readable PDF ({error})", path=path, error=type(e).__name__)) from None
    text = "\n".join(pages)
    if sum(ch.isalpha() for ch in text) < 20:
        raise DataError(t("{path}: the PDF has no text layer (a scanned image?)", path=path),
                        hint=t("Run it through OCR first, or import the original .docx."))
    return text
