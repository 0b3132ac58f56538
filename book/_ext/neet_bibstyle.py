"""Norwegian citation and bibliography styles for the book (a Sphinx local extension).

sphinxcontrib-bibtex and pybtex write English words into the text a reader sees: «Strand *et al.*,
2020» in citations, «A, B, and C» and «Technical Report» in the reference list. These styles
say «m.fl.», «og» and «Rapport» instead; everything else is the stock author-year / plain style.
Loaded from _config.yml (``sphinx.local_extensions``) and named there in ``bibtex_reference_style``
and ``bibtex_default_style``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pybtex.plugin
from pybtex.richtext import Text
from pybtex.style.formatting import toplevel
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.formatting.unsrt import date
from pybtex.style.template import first_of, names, optional_field, sentence, words
from sphinxcontrib.bibtex.plugin import register_plugin
from sphinxcontrib.bibtex.style.referencing import PersonStyle
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle


def _norwegian_person() -> PersonStyle:
    return PersonStyle(sep=", ", sep2=" og ", last_sep=" og ", other=Text(" m.fl."))


@dataclass
class NorwegianAuthorYearStyle(AuthorYearReferenceStyle):
    """Author-year citations with «og» and «m.fl.»."""

    person: PersonStyle = field(default_factory=_norwegian_person)


class NorwegianPlainStyle(PlainStyle):
    """The plain bibliography style with Norwegian connecting words."""

    def format_names(self, role, as_sentence=True):
        formatted = names(role, sep=", ", sep2=" og ", last_sep=" og ")
        return sentence[formatted] if as_sentence else formatted

    def get_techreport_template(self, e):
        return toplevel[
            sentence[self.format_names("author")],
            self.format_title(e, "title"),
            sentence[
                words[first_of[optional_field("type"), "Rapport"], optional_field("number")],
                optional_field("institution"),
                optional_field("address"),
                date,
            ],
            sentence[optional_field("note")],
            self.format_web_refs(e),
        ]


def setup(app):
    register_plugin("sphinxcontrib.bibtex.style.referencing", "author_year_nb", NorwegianAuthorYearStyle)
    pybtex.plugin.register_plugin("pybtex.style.formatting", "plain_nb", NorwegianPlainStyle)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
