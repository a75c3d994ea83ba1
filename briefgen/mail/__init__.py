"""Mail: the delivery config, message composition, SMTP and the exactly-once ledger.

Public: `send_specs`, `send_digest`, `load_delivery`. Each is
imported when first asked for (`briefgen.lazy`)."""

from briefgen.lazy import public_names

__all__ = ["load_delivery", "send_digest", "send_specs"]
__getattr__ = public_names(__name__, {
    "load_delivery": "config",
    "send_digest": "send",
    "send_specs": "send",
})
