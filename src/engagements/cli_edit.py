"""CLI commands that write the data: link, unlink, reject, review, fmt."""

from __future__ import annotations
