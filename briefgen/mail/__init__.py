"""Mail: the delivery config, message composition, SMTP and the exactly-once ledger."""
