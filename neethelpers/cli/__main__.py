"""``python -m neethelpers.cli`` runs the ``neet`` command."""

from neethelpers.cli.main import main

main()
