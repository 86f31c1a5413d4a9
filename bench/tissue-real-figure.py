#!/usr/bin/python3
"""A real slide's two tissue masks over its level 0, for judging which is right where they differ.

    bench/tissue-real-figure.py SLIDE OTSU.mask.npy ROBUST.mask.npy OUT.png [--scale 6]

Masks from `opath mask SLIDE --tissue otsu|robust` (uint8 rows x columns, downsample 64 from level 0). Panels: the
slide at 1/scale, Otsu's outline (green), the robust outline (blue), then the cells only the robust mask keeps
(blue) and only Otsu keeps (orange), each labelled with its level-0 tissue share in tenths (share of level-0 pixels
above the Otsu threshold of level 0's saturation, FullResolutionCover's reference)."""
import argparse
import numpy as np
import openslide
from PIL import Image, ImageDraw
from skimage.filters import threshold_otsu

parser = argparse.ArgumentParser()
parser.add_argument("slide"); parser.add_argument("otsu"); parser.add_argument("robust"); parser.add_argument("out")
parser.add_argument("--scale", type=int, default=4)
args = parser.parse_args()
slide = openslide.OpenSlide(args.slide)
W, H = slide.level_dimensions[0]
rgb = np.array(slide.read_region((0, 0), 0, (W, H)).convert("RGB")).astype(np.int32)
mx, mn = rgb.max(-1), rgb.min(-1)
sat = (255 * (mx - mn) + mx // 2) // np.maximum(mx, 1)
tissue = sat > threshold_otsu(sat.astype(np.uint8))
otsu, robust = np.load(args.otsu) > 0, np.load(args.robust) > 0
h, w = otsu.shape
share = np.array([[tissue[y * 64:(y + 1) * 64, x * 64:(x + 1) * 64].mean() for x in range(w)] for y in range(h)])

scale = args.scale
small = np.array(Image.fromarray(rgb.astype(np.uint8)).resize((W // scale, H // scale), Image.BOX))
cell = 64 // scale

def up(mask):
    return np.kron(mask, np.ones((cell, cell), bool))[:small.shape[0], :small.shape[1]]

def outline(mask, colour):
    m, out = up(mask), small.copy()
    edge = np.zeros_like(m)
    edge[1:] |= m[1:] != m[:-1]
    edge[:, 1:] |= m[:, 1:] != m[:, :-1]
    out[edge] = colour
    return out

diff = small.astype(float)
for mask, colour in [(robust & ~otsu, (0, 0, 255)), (otsu & ~robust, (255, 128, 0))]:
    m = up(mask)
    diff[m] = diff[m] * 0.55 + np.array(colour) * 0.45
diff = Image.fromarray(diff.astype(np.uint8))
draw = ImageDraw.Draw(diff)
for y, x in zip(*np.nonzero(robust != otsu)):
    draw.text((x * cell + 1, y * cell + 1), str(int(share[y, x] * 10)), fill=(255, 255, 255))
panels = [small, outline(otsu, (0, 160, 0)), outline(robust, (0, 0, 255)), np.array(diff)]
gap = np.full((small.shape[0], 6, 3), 255, np.uint8)
Image.fromarray(np.concatenate(sum([[p, gap] for p in panels], [])[:-1], 1)).save(args.out, optimize=True)
only_r, only_o = robust & ~otsu, otsu & ~robust
print(f"{args.slide}: robust-only cells {only_r.sum()} (level-0 share >= 0.5: {(share[only_r] >= 0.5).sum()}, "
      f"0.25-0.5: {((share[only_r] >= 0.25) & (share[only_r] < 0.5)).sum()}, < 0.25: {(share[only_r] < 0.25).sum()}); "
      f"otsu-only cells {only_o.sum()} (share >= 0.5: {(share[only_o] >= 0.5).sum()})")
