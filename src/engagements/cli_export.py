"""CLI command that writes exports for journalists: export."""

from __future__ import annotations
