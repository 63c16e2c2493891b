"""A self-contained HTML page: inline CSS and JavaScript, figures as base64 PNG.

The page needs no server and no network (no CDN, no font, no external file): it opens
from disk in any browser and can be mailed as one file. Every text that comes from data
is escaped with the standard library's :func:`html.escape`. Tables marked sortable sort
on a click of a column header (numerically where the cells carry a ``data-v`` number).
"""

from __future__ import annotations

import base64
import html
import math
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

__all__ = ["esc", "figure", "page", "table", "write_page"]

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;
max-width:1200px;padding:1em 2em;color:#1d2430}
h1{font-size:1.5em;margin-bottom:.2em} h2{margin-top:1.6em;border-bottom:1px solid #ccd}
table{border-collapse:collapse;margin:.6em 0;font-size:12.5px}
th,td{border:1px solid #d5d9e0;padding:3px 7px;text-align:right;vertical-align:top}
th{background:#eef1f6;position:sticky;top:0}
td{white-space:nowrap} td.t,th.t{text-align:left;white-space:normal}
tr:nth-child(even) td{background:#f8f9fb}
table.sortable th{cursor:pointer;user-select:none}
table.sortable th.asc::after{content:" \\25B2"} table.sortable th.desc::after{content:" \\25BC"}
.wrap{overflow-x:auto} .scroll{max-height:34em;overflow-y:auto}
dl.cfg dt{font-weight:600;float:left;clear:left;width:13em} dl.cfg dd{margin-left:14em}
figure{margin:1em 0} figure img{max-width:100%;border:1px solid #dde}
figcaption{color:#556;font-size:.9em} .note{color:#556} pre{background:#f4f5f8;padding:.6em;
overflow-x:auto;font-size:12px}
"""

# Sort a table's body by the clicked column: numbers (data-v) numerically, NaN last.
_JS = """
document.querySelectorAll("table.sortable").forEach(function (t) {
  t.querySelectorAll("th").forEach(function (th, col) {
    th.addEventListener("click", function () {
      var asc = !th.classList.contains("asc");
      t.querySelectorAll("th").forEach(function (h) { h.classList.remove("asc", "desc"); });
      th.classList.add(asc ? "asc" : "desc");
      var body = t.tBodies[0], rows = Array.prototype.slice.call(body.rows);
      function key(r) {
        var c = r.cells[col], v = c.getAttribute("data-v");
        return v === null ? c.textContent : (v === "" ? NaN : parseFloat(v));
      }
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        if (typeof x === "number" && typeof y === "number") {
          if (isNaN(x)) return isNaN(y) ? 0 : 1;
          if (isNaN(y)) return -1;
          return asc ? x - y : y - x;
        }
        return asc ? String(x).localeCompare(y) : String(y).localeCompare(x);
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});
"""


def esc(text) -> str:
    """Text from data, escaped for HTML."""
    return html.escape(str(text), quote=True)


def table(header: Sequence[str], rows: Iterable[Sequence], *, sortable: bool = False,
          text_columns: int = 1, table_id: str = "") -> str:
    """An HTML table. A cell is a text, or ``(text, number)``: the number is what the
    column sorts by. The first ``text_columns`` columns are left-aligned."""
    def cell(tag, i, c):
        cls = ' class="t"' if i < text_columns else ""
        if isinstance(c, tuple):
            text, v = c
            v = "" if v is None or not math.isfinite(v) else repr(float(v))
            return f'<{tag}{cls} data-v="{v}">{esc(text)}</{tag}>'
        return f"<{tag}{cls}>{esc(c)}</{tag}>"

    attrs = (' class="sortable"' if sortable else "") + (f' id="{esc(table_id)}"'
                                                         if table_id else "")
    head = "".join(cell("th", i, h) for i, h in enumerate(header))
    body = "\n".join("<tr>" + "".join(cell("td", i, c) for i, c in enumerate(r)) + "</tr>"
                     for r in rows)
    wrap = "wrap scroll" if sortable else "wrap"
    return (f'<div class="{wrap}"><table{attrs}><thead><tr>{head}</tr></thead>\n'
            f"<tbody>\n{body}\n</tbody></table></div>")


def figure(path: Path, caption: str = "") -> str:
    """A PNG file embedded as a data URI, with its caption."""
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    cap = esc(caption or Path(path).name)
    return (f'<figure><img alt="{cap}" src="data:image/png;base64,{data}">'
            f"<figcaption>{cap}</figcaption></figure>")


def page(title: str, sections: Iterable[tuple[str, str]], *, subtitle: str = "") -> str:
    """The whole page: a title, then ``(heading, html body)`` sections."""
    parts = [f"<h2>{esc(h)}</h2>\n{body}" for h, body in sections]
    sub = f'<p class="note">{esc(subtitle)}</p>' if subtitle else ""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{esc(title)}</title><style>{_CSS}</style></head>\n<body>"
            f"<h1>{esc(title)}</h1>{sub}\n" + "\n".join(parts) +
            f"\n<script>{_JS}</script></body></html>\n")


def write_page(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` through a temporary name (a reader never sees half)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path
