"""The ``nextbuy`` command: runs, migrates and inspects the platform's services."""
