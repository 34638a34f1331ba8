"""Fail when a module under src/ exceeds the hard limit of 1,000 lines (warn above 600)."""

from __future__ import annotations

import sys
from pathlib import Path

SOFT, HARD = 600, 1000


def main() -> int:
    root = Path(__file__).resolve().parent.parent / "src"
    failed = False
    for path in sorted(root.rglob("*.py")):
        n = sum(1 for _ in path.open(encoding="utf-8"))
        if n > HARD:
            print(f"FAIL {path.relative_to(root)}: {n} lines (limit {HARD})")
            failed = True
        elif n > SOFT:
            print(f"warn {path.relative_to(root)}: {n} lines (aim for under {SOFT})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
