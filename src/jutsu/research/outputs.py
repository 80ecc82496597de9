"""Writing a research command's result files: all rendered first, then atomic renames.

Same contract and the same writer as the backtest files (:mod:`jutsu.reporting.atomic`): a
failure while rendering or writing (a full disk) leaves the output directory as it was, a
reader never sees half a file, and only the named files are (re)written.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from jutsu.reporting.atomic import write_files_atomically

__all__ = ["csv_text", "json_text", "page", "write_files"]

_CSS = """
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:24px;color:#222}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 6px}
table{border-collapse:collapse}td,th{padding:3px 10px;border-bottom:1px solid #e5e5e5;text-align:right}
th:first-child,td:first-child{text-align:left}
svg{width:100%;max-width:900px;height:auto;display:block;font-size:11px}
svg text{fill:#444}.grid{stroke:#e6e6e6;stroke-width:1}.muted{color:#777;font-size:12px}
"""


def _clean(value: Any) -> Any:
    """JSON has no NaN/Infinity: such floats become null (recursively)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def json_text(document: Mapping[str, Any]) -> str:
    """Strict JSON (no NaN), two-space indent, trailing newline."""
    return json.dumps(_clean(document), indent=2, allow_nan=False, default=str) + "\n"


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ""
    return str(value)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV with shortest-repr floats and empty cells for missing/NaN values."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return buf.getvalue()


def page(title: str, sections: Sequence[tuple[str, str]], note: str = "") -> str:
    """A self-contained HTML document: inline CSS and SVG, no script, no external resource."""
    from html import escape

    body = "".join(f"<section><h2>{escape(h)}</h2>{content}</section>" for h, content in sections)
    foot = f'<p class="muted">{escape(note)}</p>' if note else ""
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_CSS}</style></head>'
        f"<body><h1>{escape(title)}</h1>{body}{foot}</body></html>\n"
    )


def write_files(out_dir: Path, contents: Mapping[str, str]) -> list[Path]:
    """Write each ``name → text`` into ``out_dir`` (created), all or nothing.

    Raises ``OutputWriteError`` (one line naming the file) on a full disk or an unwritable
    directory; see :func:`jutsu.reporting.atomic.write_files_atomically`.
    """
    return write_files_atomically(out_dir, contents)
