#!/usr/bin/env python
"""Copy the front-end files Malaka serves from node_modules/ into lms/static/vendor/.

Only what pages use is copied: the Noto Sans faces for the Latin (with ʻ and ʼ) and Cyrillic
(with ғ, қ, ҳ, ў) subsets, regular and bold, as WOFF2, with a stylesheet whose unicode-range
lets the browser fetch only the subsets a page needs; and DejaVu Sans (regular, bold) as
TrueType for the PDFs the server renders with ReportLab (it reads TTF, not WOFF2), which covers
Uzbek Latin with ʻ ʼ and Uzbek Cyrillic with ғ қ ҳ ў; and the h5p-standalone player (its two
bundles, its stylesheet and exactly the fonts and images that stylesheet references, so the
manifest storage finds every url() it rewrites) for H5P activities in lessons.
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
PDF_FONT_PKG = ROOT / "node_modules" / "dejavu-fonts-ttf"
PDF_FONT_OUT = ROOT / "lms" / "static" / "vendor" / "dejavu"
PDF_FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
H5P_PKG = ROOT / "node_modules" / "h5p-standalone"
H5P_OUT = ROOT / "lms" / "static" / "vendor" / "h5p-standalone"
H5P_FILES = ("main.bundle.js", "main.bundle.js.LICENSE.txt", "frame.bundle.js", "styles/h5p.css")
H5P_LICENSES = ("fonts/open-sans/OFL.txt", "fonts/inter/LICENSE.txt")
CSS_URL_RE = re.compile(r"url\(\s*['\"]?([^'\")]+?)['\"]?\s*\)")
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
    if not PDF_FONT_PKG.is_dir():
        print("node_modules/dejavu-fonts-ttf is missing: run `npm ci` first", file=sys.stderr)
        return 1
    if PDF_FONT_OUT.exists():
        shutil.rmtree(PDF_FONT_OUT)
    PDF_FONT_OUT.mkdir(parents=True)
    for name in PDF_FONTS:
        shutil.copy2(PDF_FONT_PKG / "ttf" / name, PDF_FONT_OUT / name)
    shutil.copy2(PDF_FONT_PKG / "LICENSE", PDF_FONT_OUT / "LICENSE")
    print(f"assets: {len(PDF_FONTS)} PDF fonts copied to {PDF_FONT_OUT.relative_to(ROOT)}")
    return copy_h5p_player()


def copy_h5p_player() -> int:
    dist = H5P_PKG / "dist"
    if not dist.is_dir():
        print("node_modules/h5p-standalone is missing: run `npm ci` first", file=sys.stderr)
        return 1
    if H5P_OUT.exists():
        shutil.rmtree(H5P_OUT)
    wanted = set(H5P_FILES) | set(H5P_LICENSES)
    css = (dist / "styles" / "h5p.css").read_text(encoding="utf-8")
    for reference in CSS_URL_RE.findall(css):
        if reference.startswith(("data:", "http:", "https:", "//")):
            continue
        target = (dist / "styles" / reference.split("?", 1)[0].split("#", 1)[0]).resolve()
        wanted.add(str(target.relative_to(dist.resolve())))
    for name in sorted(wanted):
        (H5P_OUT / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(dist / name, H5P_OUT / name)
    shutil.copy2(H5P_PKG / "LICENSE", H5P_OUT / "LICENSE")
    print(f"assets: {len(wanted)} h5p-standalone files copied to {H5P_OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
