"""Draw the field app's icons (gisgrid/static/field/icon-*.png) with Pillow; the PNGs are committed.

    .venv/bin/python scripts/make_field_icons.py

A green square with a white 3×3 grid and a location pin: no font, so the output is the same on every
machine. ``icon-maskable-512.png`` keeps the drawing inside the 80 % safe zone of maskable icons.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parents[1] / "gisgrid" / "static" / "field"
GREEN, WHITE, ORANGE = (31, 111, 92), (255, 255, 255), (230, 126, 34)


def draw(size: int, inset: float) -> Image.Image:
    """One icon of ``size`` pixels; the drawing fills the square minus ``inset`` (a share of the size) per side."""
    img = Image.new("RGB", (size, size), GREEN)
    pen = ImageDraw.Draw(img)
    lo, hi = size * inset, size * (1 - inset)
    step, width = (hi - lo) / 3, max(2, size // 40)
    for i in range(4):
        at = lo + i * step
        pen.line([(at, lo), (at, hi)], fill=WHITE, width=width)
        pen.line([(lo, at), (hi, at)], fill=WHITE, width=width)
    cx, cy, r = lo + 1.5 * step, lo + 1.35 * step, step * 0.55
    pen.polygon([(cx - r * 0.75, cy + r * 0.45), (cx + r * 0.75, cy + r * 0.45), (cx, cy + r * 1.9)], fill=ORANGE)
    pen.ellipse([cx - r, cy - r, cx + r, cy + r], fill=ORANGE)
    pen.ellipse([cx - r * 0.4, cy - r * 0.4, cx + r * 0.4, cy + r * 0.4], fill=WHITE)
    return img


def main() -> None:
    """Write the three icons."""
    OUT.mkdir(parents=True, exist_ok=True)
    for name, size, inset in (("icon-192", 192, 0.12), ("icon-512", 512, 0.12), ("icon-maskable-512", 512, 0.2)):
        draw(size, inset).save(OUT / f"{name}.png", optimize=True)
        print(OUT / f"{name}.png")


if __name__ == "__main__":
    main()
