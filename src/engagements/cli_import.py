"""CLI commands that bring data in or compare it: import, diff."""

from __future__ import annotations
