#!/usr/bin/env python3
"""Copy the front-end libraries installed by npm into src/luodi/static/vendor/.

Run after `npm ci` (the Makefile's `install` target does this). Files are copied only when
they differ, so re-running is cheap. Exits non-zero when a library is missing from
node_modules, naming the package to install.
"""

from __future__ import annotations

import filecmp
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "src" / "luodi" / "static" / "vendor"

# (package, file inside the package, name under static/vendor/)
ASSETS = [
    ("htmx.org", "dist/htmx.min.js", "htmx.min.js"),
    ("echarts", "dist/echarts.min.js", "echarts.min.js"),
]


def main() -> int:
    VENDOR.mkdir(parents=True, exist_ok=True)
    missing = []
    for package, relative, target_name in ASSETS:
        source = NODE_MODULES / package / relative
        target = VENDOR / target_name
        if not source.is_file():
            missing.append(f"{package} ({source.relative_to(ROOT)})")
            continue
        if target.is_file() and filecmp.cmp(source, target, shallow=False):
            continue
        shutil.copyfile(source, target)
        print(f"vendor: {source.relative_to(ROOT)} -> {target.relative_to(ROOT)}")
    if missing:
        print("vendor: missing, run `npm ci`: " + ", ".join(missing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
