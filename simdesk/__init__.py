"""simdesk: a support-desk simulator for bots, vendor and in-house agents."""

__version__ = "0.1.0"
