"""Word's automatic numbering, rendered as the text it shows ("1.", "a)", "-").

A paragraph numbered by Word holds no marker in its text: the number comes from its numPr (or its
style's), the list definition (numbering.xml: the level's format, its text such as "%1." or "%2)",
its start) and the count of the paragraphs before it in that list. Without the markers the tasks of
a directive run together, so they are rebuilt here the way Word counts them.
"""
from __future__ import annotations

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                           (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + letters, n - value
    return out


def _letters(n: int) -> str:
    # Word's lowerLetter: a..z, then aa..zz.
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


_FORMATS = {
    "decimal": str, "decimalZero": lambda n: f"{n:02d}", "lowerLetter": _letters,
    "upperLetter": lambda n: _letters(n).upper(), "lowerRoman": lambda n: _roman(n).lower(),
    "upperRoman": _roman,
}


# Word numbers nine levels (ilvl 0-8) and starts a list at 0-32767: a value outside, or one that is
# not plain ASCII digits ("²" passes str.isdigit), is ignored, so a hostile numbering.xml cannot make
# a marker of gigabytes ("a" * start / 26) or a count list a million levels long.
_LEVELS = 9
_MAX_START = 32_767


def _int(value: str | None, limit: int) -> int | None:
    if value is None or not (0 < len(value) <= 5 and value.isascii() and value.isdigit()):
        return None
    n = int(value)
    return n if n <= limit else None


def _val(node, name: str) -> str | None:
    child = node.find(_W + name) if node is not None else None
    return child.get(_W + "val") if child is not None else None


class Numbering:
    """The markers of one document's numbered paragraphs, counted in document order."""

    def __init__(self, document):
        self.levels: dict[tuple[str, int], tuple[str, str, int]] = {}   # (numId, ilvl) -> (format, text, start)
        self.style_num: dict[str, tuple[str, int]] = {}                  # styleId -> (numId, ilvl)
        self.counts: dict[str, list[int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            root = None
        if root is not None:
            self._read_numbering(root)
        try:
            styles = document.styles.element
        except (KeyError, AttributeError):
            styles = None
        if styles is not None:
            self._read_styles(styles)

    def _read_numbering(self, root) -> None:
        abstract = {}
        for a in root.iterchildren(_W + "abstractNum"):
            lvls = {}
            for lvl in a.iterchildren(_W + "lvl"):
                ilvl = _int(lvl.get(_W + "ilvl", "0"), _LEVELS - 1)
                if ilvl is None:
                    continue
                start = _int(_val(lvl, "start"), _MAX_START)
                lvls[ilvl] = (_val(lvl, "numFmt") or "decimal", _val(lvl, "lvlText") or "",
                              start if start is not None else 1)
            abstract[a.get(_W + "abstractNumId")] = lvls
        for num in root.iterchildren(_W + "num"):
            num_id = num.get(_W + "numId")
            lvls = dict(abstract.get(_val(num, "abstractNumId"), {}))
            for override in num.iterchildren(_W + "lvlOverride"):
                ilvl = _int(override.get(_W + "ilvl", "0"), _LEVELS - 1)
                start = _int(_val(override, "startOverride"), _MAX_START)
                if ilvl in lvls and start is not None:
                    lvls[ilvl] = (lvls[ilvl][0], lvls[ilvl][1], start)
            for ilvl, spec in lvls.items():
                self.levels[(num_id, ilvl)] = spec

    def _read_styles(self, styles) -> None:
        based: dict[str, str] = {}
        own: dict[str, tuple[str, int]] = {}
        for style in styles.iterchildren(_W + "style"):
            sid = style.get(_W + "styleId")
            parent = _val(style, "basedOn")
            if parent:
                based[sid] = parent
            num = style.find(f"{_W}pPr/{_W}numPr")
            ilvl = _int(_val(num, "ilvl") or "0", _LEVELS - 1) if num is not None else None
            if num is not None and _val(num, "numId") and ilvl is not None:
                own[sid] = (_val(num, "numId"), ilvl)
        # Each style's chain is walked once, what it finds kept for every style on the way: a chain of
        # thousands of basedOn links costs its length, not its square (and a loop ends).
        found: dict[str, tuple[str, int] | None] = {}
        for sid in set(based) | set(own):
            path, on_path, s = [], set(), sid
            while s and s not in own and s not in found and s not in on_path:
                path.append(s)
                on_path.add(s)
                s = based.get(s)
            hit = own.get(s) if s in own else found.get(s)
            for x in path:
                found[x] = hit
            if s in own:
                found[s] = own[s]
        self.style_num = {sid: hit for sid, hit in found.items() if hit is not None}

    def _num_of(self, p) -> tuple[str, int] | None:
        ppr = p.find(_W + "pPr")
        if ppr is None:
            return None
        num = ppr.find(_W + "numPr")
        if num is not None and _val(num, "numId") is not None:
            num_id = _val(num, "numId")
            if num_id == "0":            # numbering switched off for this paragraph
                return None
            ilvl = _val(num, "ilvl")
            if ilvl is None:
                return num_id, self.style_num.get(_val(ppr, "pStyle"), (None, 0))[1]
            level = _int(ilvl, _LEVELS - 1)
            return (num_id, level) if level is not None else None
        return self.style_num.get(_val(ppr, "pStyle"))

    def marker(self, p) -> str:
        """The marker Word shows before paragraph `p` ("2. ", "b) ", "- "), counting it; "" if none."""
        found = self._num_of(p)
        if found is None or found not in self.levels:
            return ""
        num_id, ilvl = found
        fmt, text, _ = self.levels[found]
        counts = self.counts.setdefault(num_id, [])
        while len(counts) <= ilvl:
            counts.append(0)
        counts[ilvl] += 1
        del counts[ilvl + 1:]              # a higher level restarts the ones under it
        if fmt == "bullet" or fmt == "none":
            return "- " if fmt == "bullet" else ""
        shown = text
        for k in range(ilvl, -1, -1):
            spec = self.levels.get((num_id, k))
            if spec is None:
                continue
            value = counts[k] + spec[2] - 1 if k < len(counts) else spec[2]
            shown = shown.replace(f"%{k + 1}", _FORMATS.get(spec[0], str)(max(value, 1)))
        return shown.strip() + " " if shown.strip() else ""
