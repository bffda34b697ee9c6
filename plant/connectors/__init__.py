"""Read-only connectors from machines and brokers to normalised tag values."""
