"""The `luodi` command: Django's management commands with Luodi's settings preset."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luodi.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["luodi", *argv])
    args[0] = "luodi"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
