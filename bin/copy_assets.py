#!/usr/bin/env python
"""Copy the front-end files Malaka serves from node_modules/ into lms/static/vendor/.

Only what pages use is copied: the Noto Sans faces for the Latin (with ʻ and ʼ) and Cyrillic
(with ғ, қ, ҳ, ў) subsets, regular and bold, as WOFF2, with a stylesheet whose unicode-range
lets the browser fetch only the subsets a page needs.
"""

import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FONT_PKG = ROOT / "node_modules" / "@fontsource" / "noto-sans"
OUT = ROOT / "lms" / "static" / "vendor" / "noto-sans"
SUBSETS = ("latin", "cyrillic", "cyrillic-ext")  # Uzbek needs no latin-ext: ʻ ʼ are in latin
WEIGHTS = ("400", "700")
BLOCK_RE = re.compile(r"/\* noto-sans-([a-z-]+)-(\d+)-normal \*/\s*(@font-face\s*\{.*?\})", re.S)


def main() -> int:
    if not FONT_PKG.is_dir():
        print("node_modules/@fontsource/noto-sans is missing: run `npm ci` first", file=sys.stderr)
        return 1
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    css = []
    for weight in WEIGHTS:
        source = (FONT_PKG / f"{weight}.css").read_text(encoding="utf-8")
        for subset, block_weight, block in BLOCK_RE.findall(source):
            if subset not in SUBSETS or block_weight != weight:
                continue
            name = f"noto-sans-{subset}-{weight}-normal.woff2"
            shutil.copy2(FONT_PKG / "files" / name, OUT / name)
            block = re.sub(r"src:[^;]*;", f"src: url(./{name}) format('woff2');", block)
            css.append(f"/* {subset} {weight} */\n{block}")
    (OUT / "noto-sans.css").write_text("\n".join(css) + "\n", encoding="utf-8")
    shutil.copy2(FONT_PKG / "LICENSE", OUT / "LICENSE")
    print(f"assets: {len(css)} font faces copied to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
