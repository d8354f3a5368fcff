"""``python -m nextbuy`` is the ``nextbuy`` command (what ``nextbuy up`` runs its children with)."""

from nextbuy.cli.main import app

app(prog_name="nextbuy")
