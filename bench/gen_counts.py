#!/usr/bin/python3
"""gen_counts.py: writes a synthetic count-regression table as CSV,
deterministically, for the Poisson and quantile benchmarks.

    /usr/bin/python3 bench/gen_counts.py OUT.csv [ROWS] [SEED] [COLS]

ROWS defaults to 1,000,000, SEED to 1 and COLS to 20 (at least 5). Only
Python's own random.Random is used, so the same arguments give the same
bytes everywhere. Each row draws x_j ~ N(0, 1), printed with 5 decimals,
and the label `count` ~ Poisson(exp(eta)) with

    eta = 0.8 + 0.5 x1 - 0.4 x2 + 0.3 x3 + 0.2 x4 - 0.1 x5

(x6..xCOLS are noise), drawn by counting uniform products (Knuth), so the
mean count is about 3.
"""
import math
import os
import random
import sys


def row_text(rng, cols):
    x = [rng.gauss(0.0, 1.0) for _ in range(cols)]
    eta = 0.8 + 0.5 * x[0] - 0.4 * x[1] + 0.3 * x[2] + 0.2 * x[3] - 0.1 * x[4]
    limit, k, p = math.exp(-math.exp(eta)), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return ",".join("%.5f" % v for v in x) + ",%d" % k


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: gen_counts.py OUT.csv [ROWS] [SEED] [COLS]")
    path = sys.argv[1]
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 1000000
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    cols = int(sys.argv[4]) if len(sys.argv) > 4 else 20
    if cols < 5:
        sys.exit("gen_counts.py: COLS must be at least 5")
    rng = random.Random(seed)
    tmp = path + ".part"
    with open(tmp, "w", newline="") as f:
        f.write(",".join("x%d" % j for j in range(1, cols + 1)) + ",count\n")
        lines = []
        for _ in range(rows):
            lines.append(row_text(rng, cols))
            if len(lines) == 10000:
                f.write("\n".join(lines) + "\n")
                lines = []
        if lines:
            f.write("\n".join(lines) + "\n")
    os.replace(tmp, path)


if __name__ == "__main__":
    main()
