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
    return text


def _docx(path: Path) -> str:
    try:
        import docx  # python-docx
    except ImportError:
        raise UsageError(t('reading .docx needs python-docx: pip install "dtrack-vn[docx]" (under pipx: pipx inject dtrack-vn python-docx)')) from None
    try:
        document = docx.Document(str(path))
    except Exception as e:  # noqa: BLE001 - python-docx raises many kinds for a bad file
        raise DataError(t("{path}: not a readable .docx file ({error})", path=path, error=type(e).__name__)) from None
    parts: list[str] = []
    # Body paragraphs and tables in document order: the header of a Vietnamese document is
    # usually a two-column table (issuer | motto, number | place and date).
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            parts.append("".join(node.text or "" for node in child.iter() if node.tag.endswith("}t")))
        elif tag == "tbl":
            for cell_text in _table_cells(child):
                parts.append(cell_text)
    return "\n\n".join(p.replace("\n", " ") for p in parts)


def _table_cells(tbl):
    for row in tbl.iter():
        if not row.tag.endswith("}tc"):
            continue
        for p in row.iter():
            if p.tag.endswith("}p"):
                yield "".join(node.text or "" for node in p.iter() if node.tag.endswith("}t"))


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
