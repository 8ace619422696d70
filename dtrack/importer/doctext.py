"""Read a document's text: .txt/.md (UTF-8, with or without BOM, CRLF or LF), .docx, .pdf.

python-docx and pypdf are optional extras (`pip install "dtrack-vn[import]"`); a missing one is a
one-line message naming the extra, and a PDF without a text layer (a scan) is refused.
"""
from __future__ import annotations

import re
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
# A million characters of paragraphs crowded with agency names take about 4 s to read (2,000,000
# took 16-20 s on a loaded 2-core machine), so that is the bound.
MAX_CHARS = 1_000_000
MAX_LINES = 20_000
# pypdf reads a page's content stream in Python at about 3 s a megabyte (layout mode): a text page of
# Word's is 5-15 KB, so these are hundreds of pages, checked page by page before the page is read.
# pypdf itself refuses a stream that inflates past 75 MB (a FlateDecode bomb).
MAX_PAGES = 500
MAX_PDF_CONTENT = 2_000_000


IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".gif", ".bmp", ".webp", ".heic")
# What a file is, by its first bytes: a name says what the sender called it.
_MAGIC = ((b"%PDF", "pdf"), (b"PK\x03\x04", "zip"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "doc"),
          (b"{\\rtf", "rtf"), (b"\xff\xd8\xff", "image"), (b"\x89PNG", "image"), (b"II*\x00", "image"),
          (b"MM\x00*", "image"), (b"GIF8", "image"))


def _kind(path: Path) -> str:
    with path.open("rb") as f:
        head = f.read(8)
    return next((kind for magic, kind in _MAGIC if head.startswith(magic)), "")


def read_document(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        raise UsageError(t("{path}: an image (a scan or a photo) has no text to read", path=path),
                         hint=t("Run it through OCR first, or import the original .docx or .pdf."))
    if suffix not in SUFFIXES:
        raise UsageError(t("{path}: dtrack import reads .txt, .md, .docx and .pdf files", path=path),
                         hint=t("Save the document as one of these (a .doc file: save it as .docx in Word)."))
    if not path.is_file():
        if path.exists():          # a folder, a pipe or a device: opening a pipe would wait for a writer
            raise UsageError(t("{path}: not a regular file (a folder, a pipe or a device)", path=path))
        raise UsageError(t("{path}: no such file", path=path))
    if path.stat().st_size > MAX_BYTES:
        raise DataError(t("{path}: the file is too large to be a directive", path=path))
    if suffix == ".docx":
        text = _docx(path)
    elif suffix == ".pdf":
        text = _pdf(path)
    else:
        _check_kind(path, suffix)
        raw = path.read_bytes()
        # Notepad's "Unicode" is UTF-16 with its byte order mark: the mark says it, so it is read as such.
        utf16 = raw.startswith((b"\xff\xfe", b"\xfe\xff"))
        try:
            text = raw.decode("utf-16") if utf16 else raw.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            line = raw.count(b"\n", 0, e.start) + 1
            raise DataError(t("{path}:{line}: not UTF-8 text; save the file as UTF-8", path=path, line=line)) from None
        _check_text(path, text)
    if not text.strip():
        raise DataError(t("{path}: the document has no text", path=path))
    _check_work(path, len(text), text.count("\n") + 1)
    return text


# Control characters other than tab, line and page breaks: a few are stray bytes of a copy (or an escape
# sequence pasted in), more than a tenth of the text is a program, an archive or an image named .txt.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f]")
_MAX_CONTROL_SHARE = 0.1


def _check_text(path: Path, text: str) -> None:
    if len(_CONTROL.findall(text[:100_000])) > _MAX_CONTROL_SHARE * min(len(text), 100_000):
        raise DataError(t("{path}: not a text file (it holds binary data)", path=path),
                        hint=t("Ask for the document again as .docx, .pdf or .txt."))


def _check_kind(path: Path, suffix: str) -> None:
    kind = _kind(path)
    if suffix in TEXT_SUFFIXES and kind in ("pdf", "zip"):
        what = ".pdf" if kind == "pdf" else ".docx"
        raise DataError(t("{path}: a {what} file under another name", path=path, what=what),
                        hint=t("Rename it to end in {what} and import that.", what=what))
    if kind == "doc" or kind == "rtf":
        raise DataError(t("{path}: an old Word (.doc) or RTF file under another name", path=path),
                        hint=t("Open it in Word or LibreOffice and save it as .docx."))
    if kind == "image":
        raise DataError(t("{path}: an image (a scan or a photo) under another name; it has no text to read",
                          path=path), hint=t("Run it through OCR first, or import the original .docx or .pdf."))
    want = {".docx": "zip", ".pdf": "pdf"}.get(suffix)
    if want and kind != want:
        what = {".docx": ".docx", ".pdf": "PDF"}[suffix]
        raise DataError(t("{path}: not a {what} file (damaged, or another kind of file renamed)", path=path, what=what),
                        hint=t("Ask for the document again, or open it and save it as {what}.", what=what))


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
    _check_kind(path, ".docx")
    _check_archive(path)
    try:
        document = docx.Document(str(path))
    except Exception as e:  # noqa: BLE001 - python-docx raises many kinds for a bad file
        raise DataError(t("{path}: not a readable .docx file ({error})", path=path, error=type(e).__name__),
                        hint=t("Open it in Word and save it again as .docx, or save it as .pdf and import that.")) from None
    from dtrack.importer.docxlists import Numbering
    numbering = Numbering(document)
    parts: list[str] = []
    chars = 0
    # Body paragraphs and tables in document order: the header of a Vietnamese document is
    # usually a two-column table (issuer | motto, number | place and date).
    body = document.element.body
    for child in _blocks(body):
        done = len(parts)
        if _is(child, "p"):
            parts.append(numbering.marker(child) + _text_of(child))
            parts.extend(_text_of(box) for box in _boxes(child))
        elif _is(child, "tbl"):
            parts.extend(_table_lines(child, numbering))
        chars += sum(map(len, parts[done:]))
        if len(parts) > MAX_LINES or chars > MAX_CHARS:       # stop reading: the text would be refused anyway
            _check_work(path, chars + 2 * len(parts), 2 * len(parts))
    return "\n\n".join(parts)     # a line break inside a paragraph stays a line, as in a .txt file


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


def _blocks(node):
    """Paragraphs and tables in order, inside content controls (w:sdt) too."""
    for child in node.iterchildren():
        if _is(child, "sdt") or _is(child, "sdtContent"):
            yield from _blocks(child)
        elif _is(child, "p") or _is(child, "tbl"):
            yield child


def _skipped(node) -> bool:
    # A text box is read as its own paragraphs (_boxes); Word's fallback copy of a drawing repeats it.
    return _is(node, "txbxContent") or _is(node, "Fallback")


def _text_of(p) -> str:
    """The paragraph as Word shows it: a tab as a gap of three spaces (a header typed in two columns
    with tabs reads side by side), a line break as a new line."""
    out: list[str] = []

    def walk(node) -> None:
        for child in node.iterchildren():
            if not isinstance(child.tag, str) or _skipped(child):
                continue
            if _is(child, "t"):
                out.append(child.text or "")
            elif _is(child, "tab") and not _is(node, "tabs"):
                out.append("   ")
            elif _is(child, "br") or _is(child, "cr"):
                out.append("\n")
            elif not _is(child, "pPr"):
                walk(child)
    walk(p)
    return "".join(out)


def _boxes(p):
    """The paragraphs of the text boxes anchored in paragraph `p` (a header is sometimes drawn in them)."""
    def walk(node):
        for child in node.iterchildren():
            if not isinstance(child.tag, str) or _is(child, "Fallback"):
                continue
            if _is(child, "txbxContent"):
                yield from (x for x in _blocks(child) if _is(x, "p"))
            else:
                yield from walk(child)
    yield from walk(p)


def _children(node, name: str):
    return [c for c in node.iterchildren() if _is(c, name)]


def _table_lines(tbl, numbering):
    """A layout table (one or two columns: the header's issuer | motto, the signature block) as the
    lines it shows, its cells side by side 3 spaces apart, as `pdftotext -layout` gives them; a table
    of data (three columns or more: STT | task | lead | deadline) one row a paragraph, each cell
    after its column's heading."""
    rows = [[[line for p in _blocks(cell) if _is(p, "p") for line in (numbering.marker(p) + _text_of(p)).split("\n")]
             for cell in _children(row, "tc")] for row in _children(tbl, "tr")]
    if all(len(r) <= 2 for r in rows):
        from itertools import zip_longest
        for cells in rows:
            for line in zip_longest(*cells, fillvalue=""):
                yield "   ".join(x.strip() for x in line).strip()
        return
    flat = [[" ".join(x.strip() for x in cell if x.strip()) for cell in r] for r in rows]
    numbered = re.compile(r"\d{1,3}\.?")
    heads = flat[0] if flat and not any(numbered.fullmatch(c) for c in flat[0]) else []
    for r in flat[1:] if heads else flat:
        yield from _row_sentence(r, heads, numbered)


# The columns of a table of tasks, by their headings: "Cơ quan chủ trì", "Đơn vị phối hợp", "Thời hạn".
_COLUMN = (("support", re.compile(r"phối hợp", re.I)),
           ("lead", re.compile(r"chủ trì|thực hiện|cơ quan|đơn vị|trách nhiệm", re.I)),
           ("due", re.compile(r"thời hạn|thời gian|hoàn thành|tiến độ", re.I)),
           ("n", re.compile(r"^\s*(?:stt|tt|số tt)\s*$", re.I)))


def _row_sentence(row: list[str], heads: list[str], numbered):
    """One task row as the sentence a directive would write: "1. Sở X chủ trì, phối hợp với Sở Y, <task>,
    <deadline>." The lead then reads as in any paragraph; other columns follow with their heading."""
    roles = {}
    for k, head in enumerate(heads):
        role = next((name for name, rx in _COLUMN if rx.search(head)), None)
        if role and role not in roles:
            roles[role] = k
    if "n" not in roles and row and numbered.fullmatch(row[0]):
        roles["n"] = 0
    named = set(roles.values())
    rest = [k for k in range(len(row)) if k not in named and row[k]]
    if not rest:
        return
    task, others = rest[0], rest[1:]

    def cell(role: str) -> str:
        k = roles.get(role)
        return row[k].strip().rstrip(".;") if k is not None and k < len(row) else ""

    text = row[task].strip().rstrip(".;")
    lead, support, due = cell("lead"), cell("support"), cell("due")
    if lead:
        text = f"{lead} chủ trì" + (f", phối hợp với {support}," if support else "") + " " + text[:1].lower() + text[1:]
    elif support:
        text += f", phối hợp với {support}"
    if due:
        text += f", {due}"
    text += "".join(f"; {heads[k].strip() + ': ' if k < len(heads) and heads[k].strip() else ''}{row[k].strip()}"
                    for k in others)
    n = cell("n").rstrip(".")
    yield (f"{n}. " if n else "") + text + "."


def _pdf(path: Path) -> str:
    try:
        import pypdf
    except ImportError:
        raise UsageError(t('reading .pdf needs pypdf: pip install "dtrack-vn[pdf]" (under pipx: pipx inject dtrack-vn pypdf)')) from None
    _check_kind(path, ".pdf")
    import logging
    quiet = logging.getLogger("pypdf")
    was = quiet.level
    quiet.setLevel(logging.CRITICAL + 1)     # pypdf logs each repair of a damaged file: the error is one line
    try:
        reader = pypdf.PdfReader(str(path))
        if reader.is_encrypted and not _opened(reader):
            raise DataError(t("{path}: the PDF is protected by a password", path=path),
                            hint=t("Open it, print it to a new PDF without protection (or export it as .docx) "
                                   "and import that."))
        pages = _pages(path, reader)
    except DataError:
        raise
    except Exception as e:  # noqa: BLE001 - pypdf raises many kinds for a damaged file
        raise DataError(t("{path}: not a readable PDF ({error})", path=path, error=type(e).__name__),
                        hint=t("Open it and save it again, or import the original .docx.")) from None
    finally:
        quiet.setLevel(was)
    text = "\n".join(pages)
    if sum(ch.isalpha() for ch in text) < 20:
        raise DataError(t("{path}: the PDF has no text layer (a scanned image?)", path=path),
                        hint=t("Run it through OCR first, or import the original .docx."))
    return text


def _pages(path: Path, reader) -> list[str]:
    """Each page's text, the work bounded before it is done: the pages counted first, each page's
    content measured before it is read, the text stopped at the characters a document may have."""
    count = len(reader.pages)
    if count > MAX_PAGES:
        raise DataError(t("{path}: the PDF has {count} pages; dtrack imports up to {max} pages", path=path,
                          count=count, max=MAX_PAGES), hint=t("Import the part of the document that assigns the tasks."))
    pages, content, chars = [], 0, 0
    for page in reader.pages:
        stream = page.get_contents()
        content += len(stream.get_data()) if stream is not None else 0
        if content > MAX_PDF_CONTENT:
            raise DataError(t("{path}: the PDF's pages hold more than {max} MB of drawing instructions; dtrack "
                              "reads up to {max} MB (the text of hundreds of pages)", path=path,
                              max=MAX_PDF_CONTENT // 1_000_000),
                            hint=t("Save it as .docx or .txt and import that, or import the part that assigns "
                                   "the tasks."))
        # Layout mode keeps the two header columns side by side on their lines, as pdftotext -layout.
        pages.append(_page_text(page))
        chars += len(pages[-1])
        if chars > MAX_CHARS:
            _check_work(path, chars, sum(x.count("\n") + 1 for x in pages))
    return pages


def _opened(reader) -> bool:
    """Many office PDFs are encrypted with an empty password (printing and copying allowed)."""
    try:
        return bool(reader.decrypt(""))
    except Exception:  # noqa: BLE001 - an unknown cipher or a missing crypto library: cannot open it
        return False


def _page_text(page) -> str:
    try:
        text = page.extract_text(extraction_mode="layout")
    except Exception:  # noqa: BLE001 - layout mode fails on some fonts; the plain text is still there
        text = page.extract_text()
    return "\n".join(line.rstrip() for line in (text or "").splitlines())
