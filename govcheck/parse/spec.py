"""TEMPORARY shim: replaced by the full section index on branch spec-sections."""
from __future__ import annotations
import re
from dataclasses import dataclass

_H = re.compile(r"^#{1,6}\s+(\d+(?:\.\d+)*)\.?\s+(.*)$")

@dataclass(frozen=True)
class SpecSection:
    id: str
    title: str
    line: int

class SpecIndex:
    def __init__(self, sections):
        self.sections = tuple(sections)
        self._by = {}
        for s in sections:
            self._by.setdefault(s.id, s)
    def lookup(self, section_id):
        return self._by.get(section_id)
    def expand_range(self, start, end):
        ids = [s.id for s in self.sections]
        if start not in ids or end not in ids:
            return []
        a, b = ids.index(start), ids.index(end)
        return ids[a:b + 1]

def index_spec(data) -> SpecIndex:
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    out, fence = [], False
    for n, line in enumerate(text.split("\n"), 1):
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
            continue
        m = None if fence else _H.match(line)
        if m:
            out.append(SpecSection(m.group(1), m.group(2).strip(), n))
    return SpecIndex(out)
