"""The ``neet`` command line (:mod:`neethelpers.cli.main`). No notebook imports this folder."""
