"""Copy the site's typefaces from the pinned @fontsource npm packages into static/fonts/.

The woff2 files are committed (with their SIL Open Font Licence), so a fresh clone, the
Docker build's collectstatic and `./scripts/run` serve them without npm. Run this after
changing a version in package.json (`npm ci` first); tests/test_fonts.py fails while the
committed files differ from the pinned packages.

Only the Latin subset of each variable font is copied: the site is written in English, and
each @font-face in static/css/site.css says so with its unicode-range.

Usage (from the repository root):

    npm ci && .venv/bin/python scripts/vendor_fonts.py
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
FONTS_DIR = ROOT / "static" / "fonts"

# npm package -> the files it gives the site (all under the package's files/ folder).
FONTS: dict[str, list[str]] = {
    "@fontsource-variable/source-serif-4": [
        "source-serif-4-latin-wght-normal.woff2",
        "source-serif-4-latin-wght-italic.woff2",
    ],
    "@fontsource-variable/source-sans-3": ["source-sans-3-latin-wght-normal.woff2"],
}


def licence_name(package: str) -> str:
    """The name the package's LICENSE file is committed under, e.g. OFL-source-serif-4.txt."""
    return f"OFL-{package.rsplit('/', 1)[-1]}.txt"


def sources() -> list[tuple[Path, Path]]:
    """(file in node_modules, file in static/fonts) for every font and licence the site uses."""
    pairs = []
    for package, files in FONTS.items():
        folder = NODE_MODULES / package
        pairs += [(folder / "files" / name, FONTS_DIR / name) for name in files]
        pairs.append((folder / "LICENSE", FONTS_DIR / licence_name(package)))
    return pairs


def main() -> None:
    missing = [str(src.relative_to(ROOT)) for src, _ in sources() if not src.exists()]
    if missing:
        sys.exit("run `npm ci` first; missing: " + ", ".join(missing))
    FONTS_DIR.mkdir(parents=True, exist_ok=True)
    for src, dest in sources():
        shutil.copyfile(src, dest)
        print(f"» {dest.relative_to(ROOT)} ({dest.stat().st_size / 1024:.1f} KB)")


if __name__ == "__main__":
    main()
