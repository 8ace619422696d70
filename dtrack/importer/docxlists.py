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
                start = _val(lvl, "start")
                lvls[int(lvl.get(_W + "ilvl", "0"))] = (_val(lvl, "numFmt") or "decimal", _val(lvl, "lvlText") or "",
                                                        int(start) if start and start.isdigit() else 1)
            abstract[a.get(_W + "abstractNumId")] = lvls
        for num in root.iterchildren(_W + "num"):
            num_id = num.get(_W + "numId")
            lvls = dict(abstract.get(_val(num, "abstractNumId"), {}))
            for override in num.iterchildren(_W + "lvlOverride"):
                ilvl = int(override.get(_W + "ilvl", "0"))
                start = _val(override, "startOverride")
                if ilvl in lvls and start and start.isdigit():
                    lvls[ilvl] = (lvls[ilvl][0], lvls[ilvl][1], int(start))
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
            if num is not None and _val(num, "numId"):
                own[sid] = (_val(num, "numId"), int(_val(num, "ilvl") or 0))
        for sid in set(based) | set(own):
            seen, s = set(), sid
            while s and s not in own and s not in seen:
                seen.add(s)
                s = based.get(s)
            if s in own:
                self.style_num[sid] = own[s]

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
            if ilvl is None and _val(ppr, "pStyle") in self.style_num:
                ilvl = self.style_num[_val(ppr, "pStyle")][1]
            return num_id, int(ilvl or 0)
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
