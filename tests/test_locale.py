"""The book's bokmål catalogs for the theme's user interface (book/locales, book/_ext/neet_locale.py).

Checks that every message has a translation, that the catalogs cover every string the installed
themes translate (so a theme upgrade that adds one fails here, not in front of a reader), and
renders a one-page Sphinx project with the real theme and extension to see the words change.
"""
from __future__ import annotations

import ast
import importlib.util
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
EXT_DIR = ROOT / "book" / "_ext"
TEMPLATES = ROOT / "book" / "_templates"
LC = ROOT / "book" / "locales" / "nb" / "LC_MESSAGES"
SITE = Path(importlib.util.find_spec("sphinx").origin).parents[1]


def _catalog(domain: str):
    with (LC / f"{domain}.po").open("rb") as fh:
        return read_po(fh)


def _msgids(domain: str) -> set[str]:
    return {m.id for m in _catalog(domain) if m.id}


# `_("…")` / `_('…')` in Jinja templates, and {% trans %}…{% endtrans %} without variables.
_TEMPLATE_CALL = re.compile(r"""_\(\s*(?:"([^"]*)"|'([^']*)')\s*\)""")


def _template_strings(folder: Path) -> set[str]:
    found = set()
    for path in folder.rglob("*.html"):
        for m in _TEMPLATE_CALL.finditer(path.read_text(encoding="utf-8")):
            found.add(m.group(1) if m.group(1) is not None else m.group(2))
    return found


def _python_calls(folder: Path, func: str) -> set[str]:
    """String literals passed to ``func("…")`` anywhere in the package's Python code."""
    found = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == func
                    and node.args and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                found.add(node.args[0].value)
    return found


@pytest.mark.parametrize("domain", ["sphinx", "booktheme", "togglebutton"])
def test_every_message_is_translated(domain):
    catalog = _catalog(domain)
    assert catalog.locale_identifier == "nb"
    messages = [m for m in catalog if m.id]
    assert messages, f"{domain}.po has no messages"
    for m in messages:
        assert isinstance(m.string, str) and m.string.strip(), f"{domain}.po: no translation for {m.id!r}"
        assert not m.fuzzy, f"{domain}.po: {m.id!r} is marked fuzzy (left out when compiled)"
        # Placeholders survive translation, or the theme's % formatting breaks.
        for pattern in (r"%\(\w+\)s", r"\$\{\w+\}"):
            assert sorted(re.findall(pattern, m.string)) == sorted(re.findall(pattern, m.id)), m.id
        assert m.string != m.id, f"{domain}.po: {m.id!r} left in English"


def test_sphinx_catalog_covers_the_theme_templates():
    # pydata-sphinx-theme's and sphinx-book-theme's templates, and the book's own overrides.
    wanted = (_template_strings(SITE / "pydata_sphinx_theme" / "theme")
              | _template_strings(SITE / "sphinx_book_theme" / "theme")
              | _template_strings(TEMPLATES))
    assert {"Skip to main content", "Back to top", "Toggle primary sidebar"} <= wanted  # the scan works
    missing = wanted - _msgids("sphinx")
    assert not missing, f"book/locales/nb/LC_MESSAGES/sphinx.po lacks {sorted(missing)}"


def test_booktheme_catalog_covers_the_theme_code():
    wanted = _python_calls(SITE / "sphinx_book_theme", "translation")
    assert {"Search", "Fullscreen mode", "Print to PDF"} <= wanted  # the scan works
    missing = wanted - _msgids("booktheme")
    assert not missing, f"book/locales/nb/LC_MESSAGES/booktheme.po lacks {sorted(missing)}"


def test_overrides_leave_no_hard_coded_english():
    # The overridden components exist to translate attributes the theme hard-codes in English.
    for path in TEMPLATES.glob("*.html"):
        text = path.read_text(encoding="utf-8")
        for attr in re.findall(r'\b(?:title|aria-label)="([^"]*)"', text):
            assert attr.startswith("{{ _("), f"{path.name}: untranslated attribute {attr!r}"


def test_compiled_catalog_translates():
    sys.path.insert(0, str(EXT_DIR))
    try:
        import neet_locale
    finally:
        sys.path.remove(str(EXT_DIR))
    trans = neet_locale.compile_po(LC / "sphinx.po")
    expected = {m.id: m.string for m in _catalog("sphinx") if m.id}
    assert trans.gettext("Skip to main content") == expected["Skip to main content"]
    assert trans.gettext("Link to this heading") == expected["Link to this heading"]
    assert trans.gettext("a message nobody wrote") == "a message nobody wrote"
    assert not list(ROOT.joinpath("book", "locales").rglob("*.mo")), "no compiled .mo belongs in book/"


CONF = """
import sys
sys.path.insert(0, {ext!r})
extensions = ["sphinx_book_theme", "sphinx_togglebutton", "neet_locale"]
language = "nb"
html_theme = "sphinx_book_theme"
templates_path = [{templates!r}]
html_theme_options = {{"use_fullscreen_button": True, "use_download_button": True}}
"""


def test_rendered_page_is_norwegian(tmp_path):
    """A one-page book with the real theme and extension: no English chrome left (~5 s)."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(CONF.format(ext=str(EXT_DIR), templates=str(TEMPLATES)))
    (src / "index.rst").write_text(textwrap.dedent("""\
        Forside
        =======

        Avsnitt
        -------

        Tekst.
        """))
    out = tmp_path / "html"
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-q", "-b", "html", str(src), str(out)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    page = (out / "index.html").read_text(encoding="utf-8")
    sphinx_nb = {m.id: m.string for m in _catalog("sphinx") if m.id}
    book_nb = {m.id: m.string for m in _catalog("booktheme") if m.id}
    for english in ["Skip to main content", "Back to top", "Toggle primary sidebar", "Toggle secondary sidebar",
                    "Link to this heading", "Fullscreen mode", "Download source file", "Print to PDF",
                    'placeholder="Search...', 'aria-label="Main"', "Color mode", "Click to show"]:
        assert english not in page, f"English {english!r} on the rendered page"
    assert sphinx_nb["Skip to main content"] in page
    assert sphinx_nb["Link to this heading"] in page
    assert f'placeholder="{book_nb["Search"]}...' in page
    assert book_nb["Fullscreen mode"] in page
    js = (out / "_static" / "translations.js").read_text(encoding="utf-8")
    assert sphinx_nb["Search Results"] in js
    assert not list(src.rglob("*.mo")) and not list(LC.glob("*.mo"))
