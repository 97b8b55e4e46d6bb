"""The ``jiancha`` subcommands, one module per area; each module's ``register(sub)`` adds its commands.

To add a command: write ``pipeline/commands/<area>.py`` with a ``register`` function and add the
module's name to ``MODULES`` (the order is the order of ``jiancha --help``).
"""

from __future__ import annotations

MODULES = ["stages", "search", "tools", "users", "ops", "maintenance", "alerts"]
