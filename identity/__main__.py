"""Command line: `python -m identity generate-key` prints a new TOKEN_ENCRYPTION_KEY."""

from __future__ import annotations

import sys

from identity.vault import generate_key


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args != ["generate-key"]:
        print("usage: python -m identity generate-key", file=sys.stderr)
        return 2
    print(generate_key())
    return 0


if __name__ == "__main__":
    sys.exit(main())
