"""Can the packet be read at all: bytes, encoding, Markdown structure,
where it lives.

One module per rule; importing this package registers them.
"""

from govcheck.rules.packet_health import (  # noqa: F401
    encoding_invalid,
    markdown_malformed,
    packet_deleted,
    packet_outside_repo,
    packet_superseded,
    packet_unreadable,
    report_tampered,
)
