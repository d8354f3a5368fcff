"""What every Nextbuy service shares: settings, logging, health, metrics, errors, clients."""
