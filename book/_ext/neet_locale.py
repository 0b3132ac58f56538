"""Norwegian (bokmål) words for the theme's user interface (a Sphinx local extension).

The book sets ``language: nb``. Sphinx finds its own ``nb_NO`` catalog for that, but
pydata-sphinx-theme, sphinx-book-theme and sphinx-togglebutton ship no bokmål, so a reader
saw «Skip to main content», «Back to top», «Search...», «Toggle primary sidebar», «Link to
this heading» and more. The project's catalogs in ``book/locales/<language>/LC_MESSAGES/``
(one ``.po`` file per gettext domain: ``sphinx`` for Sphinx and the theme templates,
``booktheme`` for sphinx-book-theme's Python code, ``togglebutton``) supply them.

Why not Sphinx's ``locale_dirs``: Sphinx compiles ``sphinx.po`` to a ``.mo`` file *next to
it*, inside ``book/``, which the build's change detection hashes (a fresh checkout would
render the book twice) and git would list as untracked; and it compiles no other domain.
Here every ``.po`` is compiled in memory with Babel at start-up, so no ``.mo`` exists
anywhere. The project's translations come first; the catalogs found before (Sphinx's own
``nb_NO``) stay behind them as fallbacks.

Also written for the browser: ``_static/translations.js`` (the search page's words, which
Sphinx only ships for the exact language code) and the copy button's words (sphinx-copybutton
knows no bokmål).
"""
from __future__ import annotations

import gettext
import io
import json
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from sphinx.application import Sphinx
from sphinx.locale import translators

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locales"

# Messages Sphinx's search scripts (searchtools.js, sphinx_highlight.js) translate in the browser.
SEARCH_JS_MESSAGES = [
    "Search Results",
    "Searching",
    "Preparing search...",
    "Search finished, found ${resultCount} page(s) matching the search query.",
    "Your search did not match any documents. Please make sure that all words are spelled "
    "correctly and that you've selected enough categories.",
    ", in ",
    "Hide Search Matches",
]
# sphinx-copybutton's message keys and the English text each one translates.
COPYBUTTON_MESSAGES = {
    "copy": "Copy",
    "copy_to_clipboard": "Copy to clipboard",
    "copy_success": "Copied!",
    "copy_failure": "Failed to copy",
}
COPYBUTTON_JS = "neet-copybutton-locale.js"
# sphinx-togglebutton translates its hints into config defaults while it is set up, before
# this extension's catalogs exist; they are translated again once the config is read.
TOGGLEBUTTON_HINTS = {"togglebutton_hint": "Click to show", "togglebutton_hint_hide": "Click to hide"}


def po_files(language: str) -> list[Path]:
    """The project's catalogs for ``language``, one per gettext domain (the file's stem)."""
    return sorted((LOCALE_DIR / language / "LC_MESSAGES").glob("*.po"))


def compile_po(po_path: Path) -> gettext.GNUTranslations:
    """``po_path`` compiled in memory (fuzzy and untranslated entries are left out)."""
    with po_path.open("rb") as fh:
        catalog = read_po(fh)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def install(app: Sphinx) -> None:
    """Put the project's catalogs in front of whatever Sphinx and the themes loaded."""
    language = app.config.language
    for po in po_files(language):
        domain = po.stem
        ours = compile_po(po)
        previous = translators.get(("general", domain))
        if previous is not None and previous.__class__ is not gettext.NullTranslations:
            ours.add_fallback(previous)
        translators["general", domain] = ours
        if domain == "sphinx":
            # The HTML templates translate with app.translator (read when the builder starts).
            app.translator = ours


def _config_inited(app: Sphinx, config) -> None:
    gt = translators.get(("general", "togglebutton"), gettext.NullTranslations()).gettext
    for key, english in TOGGLEBUTTON_HINTS.items():
        if getattr(config, key, None) == english:  # left at the (English) default
            setattr(config, key, gt(english))


def _translations_js(app: Sphinx) -> str:
    gt = translators[("general", "sphinx")].gettext
    catalog = {
        "messages": {msg: gt(msg) for msg in SEARCH_JS_MESSAGES},
        "plural_expr": "(n != 1)",
        "locale": app.config.language,
    }
    return f"Documentation.addTranslations({json.dumps(catalog, ensure_ascii=False, indent=1)});\n"


def _copybutton_js(app: Sphinx) -> str:
    gt = translators[("general", "sphinx")].gettext
    words = {key: gt(english) for key, english in COPYBUTTON_MESSAGES.items()}
    # copybutton.js keeps its words in the global `messages` and picks `locale` when it loads;
    # both are script-level bindings, so a script loaded after it can add bokmål before the
    # buttons are made (on DOMContentLoaded).
    return (
        "if (typeof messages !== 'undefined') {\n"
        f"  messages[{json.dumps(app.config.language)}] = {json.dumps(words, ensure_ascii=False)};\n"
        f"  locale = {json.dumps(app.config.language)};\n"
        "}\n"
    )


def _builder_inited(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    # Sphinx copies a sphinx.js only for the exact language code ("nb_NO", not "nb").
    app.neet_write_translations_js = not app.builder._get_translations_js()
    if app.neet_write_translations_js:
        app.add_js_file("translations.js")
    app.add_js_file(COPYBUTTON_JS, priority=900)  # after sphinx-copybutton's copybutton.js


def _build_finished(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    if getattr(app, "neet_write_translations_js", False):
        (static / "translations.js").write_text(_translations_js(app), encoding="utf-8")
    (static / COPYBUTTON_JS).write_text(_copybutton_js(app), encoding="utf-8")


def setup(app: Sphinx) -> dict:
    install(app)
    app.connect("config-inited", _config_inited, priority=100)  # before togglebutton writes its JS
    app.connect("builder-inited", _builder_inited)
    app.connect("build-finished", _build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
