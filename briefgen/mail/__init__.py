"""Mail: the delivery config, message composition, SMTP and the exactly-once ledger.

Public: `send_specs`, `send_digest`, `load_delivery`."""

from briefgen.mail.config import load_delivery
from briefgen.mail.send import send_digest, send_specs

__all__ = ["load_delivery", "send_digest", "send_specs"]
