#!/usr/bin/env bash
# What decoding part of a JPEG tile costs against the whole tile: libopath_jpeg's parts, and a bare column crop.
#
#   bench/jpeg-parts.sh SLIDE [TILES]
#
# SLIDE: a YCbCr JPEG-tiled TIFF (opath synth writes them); TILES (default 20) of its level-0 tiles are decoded, a random
# sample (seed 1) of those larger than the median: tissue, not glass.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
slide="$1"
count="${2:-20}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cc -O2 -fPIC -shared -o "$work/libopath_jpeg.so" "$here/../pathology/Slides/Native/opath_jpeg.c" -ljpeg
cc -O2 -o "$work/jpeg-parts" "$here/jpeg-parts.c" "$work/libopath_jpeg.so" -l:libturbojpeg.so.0 -ljpeg -Wl,-rpath,"$work"
/usr/bin/python3 - "$slide" "$count" "$work" <<'PY'
import random, statistics, sys, tifffile
slide, count, work = sys.argv[1], int(sys.argv[2]), sys.argv[3]
page = tifffile.TiffFile(slide).pages[0]
assert page.compression == 7 and page.tilewidth == 256 and page.tilelength == 256, "needs 256x256 JPEG tiles"
median = statistics.median(page.databytecounts)
tissue = [i for i, n in enumerate(page.databytecounts) if n > median]
largest = random.Random(1).sample(tissue, min(count, len(tissue)))
with open(slide, "rb") as f:
    for n, i in enumerate(largest):
        f.seek(page.dataoffsets[i])
        tile = f.read(page.databytecounts[i])
        tables = page.jpegtables
        stream = b"\xff\xd8" + tables[2:-2] + tile[2:] if tables else tile
        open(f"{work}/tile{n}.jpg", "wb").write(stream)
PY
echo "$(lscpu | sed -n 's/^Model name: *//p'), $(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg)"
"$work/jpeg-parts" "$work"/tile*.jpg
