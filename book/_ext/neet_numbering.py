"""Figures and tables numbered per page (a Sphinx local extension).

The book's chapters are not section-numbered, so Sphinx numbers every figure and table
continuously through the whole book («Figur 74» on the Finnmark page). After Sphinx has
assigned the numbers (``env-get-updated``, where its toctree collector runs), this
renumbers them 1, 2, 3 … within each page, in the order Sphinx found them, separately for
figures and tables: every county page starts at «Figur 1» and «Tabell 1».
"""

from __future__ import annotations


def renumber_per_page(app, env) -> list[str]:
    for figtypes in env.toc_fignumbers.values():
        for ids in figtypes.values():
            for i, fig_id in enumerate(sorted(ids, key=ids.get), start=1):
                ids[fig_id] = (i,)
    return []


def setup(app):
    # after Sphinx's own TocTreeCollector (priority 500) has assigned the book-wide numbers
    app.connect("env-get-updated", renumber_per_page, priority=900)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
