"""User text reaches a page only through ``fmt.escape_user_text`` (issue 14.1).

Each hostile text is escaped and put into MyST Markdown the way the pages use it (bold in a
sentence, a list-table cell, a caption-like paragraph), then parsed by MyST with the book's
extensions and written as HTML by docutils: the reader must see exactly the text given, and
the HTML must contain no element, role or substitution made from it.
"""

from __future__ import annotations

import re

import pytest
from docutils import nodes
from docutils.core import publish_doctree, publish_string
from myst_parser.parsers.docutils_ import Parser

from neethelpers.presentation import fmt

HOSTILE = [
    "<img src=x onerror=alert(1)>`<img src=y onerror=alert(2)>`.csv",
    "<script>alert(1)</script>.csv",
    "<svg/onload=alert(1)>.parquet",
    "\"><img src=x onerror=alert(1)>.csv",
    "'><img src=x onerror=alert(1)>.csv",
    "`code` and ``double``.csv",
    "**bold** _em_ *x*.csv",
    "[lenke](javascript:alert(1)).csv",
    "![bilde](x onerror=alert(1)).csv",
    "<https://example.org>.csv",
    "{{ nasjonalt.final_share }}.csv",
    "{glue:md}`headline`.csv",
    "{raw}`html <b>x</b>`.csv",
    "$x^2$ og $$y$$.csv",
    "a | b | c.csv",
    "&lt;img src=x&gt; &amp; &#60;.csv",
    "\\<img src=x onerror=alert(1)>.csv",
    "# overskrift.csv",
    "- listepunkt.csv",
    "1. nummerert.csv",
    "linje\n```{raw} html\n<script>alert(1)</script>\n```\n.csv",
    "linje\n:::{note}\nboks\n:::\n.csv",
    "(fotnote)[^1].csv",
    "<!-- kommentar -->.csv",
    "%(name)s {0} %s.csv",
    "Østfold – «data» (2024).csv",
]
SETTINGS = {"myst_enable_extensions": ["colon_fence", "dollarmath", "deflist", "substitution"],
            "report_level": 2, "halt_level": 5, "warning_stream": False}


def _as_reader_sees(text: str) -> str:
    return " ".join(text.split())


def _render(markdown: str):
    doctree = publish_doctree(markdown, parser=Parser(), settings_overrides=SETTINGS)
    html = publish_string(markdown, parser=Parser(), writer_name="html5", settings_overrides=SETTINGS).decode()
    body = re.search(r"<main>(.*)</main>", html, re.S) or re.search(r"<body>(.*)</body>", html, re.S)
    return doctree, body.group(1)


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("template", [
    "Tallene er beregnet fra datafilen **{}** (data på personnivå).\n",
    ":::{{list-table}}\n:header-rows: 1\n\n* - Parameter\n  - Verdi\n* - `data_source`\n  - filen {}\n:::\n",
])
def test_escaped_user_text_renders_as_exactly_that_text(text, template):
    doctree, html = _render(template.format(fmt.escape_user_text(text)))
    assert _as_reader_sees(text) in _as_reader_sees(doctree.astext())
    # Nothing but the template's own structure: no raw HTML, math, roles, references or directives.
    kinds = {type(n).__name__ for n in doctree.findall(nodes.Element)}
    assert kinds <= {"document", "paragraph", "strong", "table", "tgroup", "colspec", "thead", "tbody", "row",
                     "entry", "literal"}, kinds
    for tag in re.findall(r"<(\w+)", html):
        assert tag in {"p", "strong", "table", "colgroup", "col", "thead", "tbody", "tr", "th", "td", "span",
                       "code"}, tag


def test_escaping_keeps_plain_text_readable():
    assert fmt.escape_user_text("registerutdrag 2024") == "registerutdrag 2024"
    assert fmt.escape_user_text("Østfold") == "Østfold"
    assert fmt.escape_user_text("a\nb\r\nc\u2028d") == "a b c d"
