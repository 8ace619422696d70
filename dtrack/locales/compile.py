"""Compile the catalogues: `python -m dtrack.locales.compile` after editing a `.po` file.

Translators edit `locales/<lang>/LC_MESSAGES/dtrack.po` (gettext's format, so Poedit, Lokalize or
Weblate open it). dtrack reads the compiled `dtrack.mo` beside it with the standard library's
`gettext` - fast at start-up and nothing to install - so the `.mo` is committed, and a test fails
when it no longer matches its `.po`. Babel (a test dependency, not a runtime one) does the compiling.
"""
from __future__ import annotations

import io
import sys
from pathlib import Path

HERE = Path(__file__).parent


def catalogues() -> list[Path]:
    return sorted(HERE.glob("*/LC_MESSAGES/dtrack.po"))


def compiled(po: Path) -> bytes:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    with po.open("rb") as f:
        catalog = read_po(f, locale=po.parent.parent.name)
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def main() -> int:
    for po in catalogues():
        mo = po.with_suffix(".mo")
        data = compiled(po)
        if not mo.exists() or mo.read_bytes() != data:
            mo.write_bytes(data)
            print(f"wrote {mo.relative_to(HERE.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
