#!/usr/bin/env python3
"""Dense against patch maps of the same slides: mean and max |dp| over the cells both computed, cells on opposite
sides of 0.5, and lesions (opath's CSVs: prob,X,Y in level-0 pixels) matched within 2 cells of each other.

    bench/compare-maps.py DENSE_DIR PATCH_DIR STRIDE     # folders written by `opath infer --out`
"""
import array, csv, glob, math, os, struct, sys

def load(path):
    with open(path, 'rb') as f:
        head = f.read(20)
        assert head[:8] == b'OPPMAP01', path
        w, h, stride = struct.unpack('<iii', head[8:20])
        values = array.array('f'); values.frombytes(f.read())
    return w, h, stride, values

def lesions(path):
    with open(path) as f:
        return [(float(r[0]), float(r[1]), float(r[2])) for r in csv.reader(f) if r and r[0][0].isdigit()]

dense_dir, patch_dir, stride = sys.argv[1], sys.argv[2], int(sys.argv[3])
print('| slide | cells | mean abs dp | max abs dp | cells across 0.5 | dense lesions | patch lesions | matched within 2 cells |')
print('|---|---|---|---|---|---|---|---|')
total = [0, 0.0, 0.0, 0]
for dense_map in sorted(glob.glob(os.path.join(dense_dir, '*.probmap'))):
    name = os.path.basename(dense_map)[:-len('.probmap')]
    _, _, _, d = load(dense_map)
    _, _, _, p = load(os.path.join(patch_dir, name + '.probmap'))
    diffs = [abs(a - b) for a, b in zip(d, p) if not (math.isnan(a) or math.isnan(b))]
    across = sum(1 for a, b in zip(d, p) if not (math.isnan(a) or math.isnan(b)) and (a >= 0.5) != (b >= 0.5))
    ld, lp = lesions(os.path.join(dense_dir, name + '.csv')), lesions(os.path.join(patch_dir, name + '.csv'))
    matched = sum(1 for (_, x, y) in ld if any(math.hypot(x - u, y - v) <= 2 * stride for (_, u, v) in lp))
    print(f'| {name} | {len(diffs)} | {sum(diffs) / len(diffs):.4f} | {max(diffs):.4f} | {across} ({100 * across / len(diffs):.1f}%) | {len(ld)} | {len(lp)} | {matched} |')
    total = [total[0] + len(diffs), total[1] + sum(diffs), max(total[2], max(diffs)), total[3] + across]
print(f'| all | {total[0]} | {total[1] / total[0]:.4f} | {total[2]:.4f} | {total[3]} ({100 * total[3] / total[0]:.1f}%) | | | |')
