"""Waivers as the engine applies them: from the packet's WAIVERS GRANTED
and from govcheck.yaml, with their validity and expiry.

The engine marks the findings an applicable waiver covers; the waiver
rules (rules/waivers) report the waivers themselves. Both read this one
definition of "applicable".
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

from govcheck.model import Packet
from govcheck.repo.config import Config

_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class ActiveWaiver:
    """A waiver from the packet or from config, as the engine applies it."""

    id: str | None
    date: str | None
    justification: str | None
    rules: tuple[str, ...]
    expires: str | None
    line: int | None  # packet line (None for config waivers)
    source: str  # "packet" | "config"
    config_line: int = 0


def parse_date(text: str | None) -> _dt.date | None:
    if not text:
        return None
    m = _DATE_RE.search(str(text))
    if not m:
        return None
    try:
        return _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def waivers_for(packet: Packet, config: Config) -> list[ActiveWaiver]:
    out = [
        ActiveWaiver(w.waiver_id, w.date, w.justification, tuple(w.rules), w.expires, w.line, "packet")
        for w in packet.waivers
    ]
    for w in getattr(config, "waivers", ()) or ():
        if not w.packets or packet.id in w.packets:
            out.append(ActiveWaiver(w.id, w.date, w.justification, tuple(w.rules), w.expires, None, "config", w.line))
    return out


def problems(w: ActiveWaiver) -> list[str]:
    missing = [name for name, value in (("waiver id", w.id), ("date", w.date), ("justification", w.justification))
               if not (value and str(value).strip())]
    if w.date and parse_date(w.date) is None:
        missing.append(f"a date in YYYY-MM-DD form (got '{w.date}')")
    return missing


def expired(w: ActiveWaiver, packet: Packet, today: _dt.date) -> str | None:
    """Why the waiver no longer applies, or None while it does. Only a
    dated expiry expires mechanically: "expires on WP closure" describes the
    packet's own lifetime, and the closed packet was validated under it."""
    when = parse_date(w.expires)
    if when is not None and when < today:
        return f"expired on {when.isoformat()}"
    return None


def usable(w: ActiveWaiver, packet: Packet, today: _dt.date) -> bool:
    return not problems(w) and expired(w, packet, today) is None


def waiver_origin(w: ActiveWaiver) -> str:
    """Where a waiver was granted, as messages name it: ``packet`` or
    ``govcheck.yaml:LINE``."""
    return "govcheck.yaml" + (f":{w.config_line}" if w.config_line else "") if w.source == "config" else "packet"
