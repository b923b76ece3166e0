#!/usr/bin/python3
"""gen_csv.py: writes the CSV import benchmark's data, deterministically.

    /usr/bin/python3 bench/gen_csv.py [OUT_DIR] [ROWS]

OUT_DIR defaults to build-bench/data (git-ignored) and ROWS to 1,000,000.
It writes two files, each from a fixed seed, so every run and every machine
gets the same bytes:

  numeric.csv  ROWS x 20 columns of decimals ("-123.45678"), about 220 MB
               for a million rows: the figure the import must beat pandas on.
  mixed.csv    ROWS x 10 columns: an integer id, ISO-8601 dates, date-times
               in "YYYY/MM/DD hh:mm", a low-cardinality string (categorical),
               a high-cardinality string, integers and decimals with missing
               values (empty, NA), booleans, and quoted text holding commas
               and doubled quotes.

Only the standard library is used, so the bytes do not depend on numpy.
"""
import os
import random
import sys

SEED = 20240601


def write_numeric(path, rows):
    rng = random.Random(SEED)
    gauss = rng.gauss
    cols = 20
    with open(path, "w", newline="") as f:
        f.write(",".join("x%d" % i for i in range(1, cols + 1)) + "\n")
        lines = []
        for r in range(rows):
            lines.append(",".join("%.5f" % gauss(0.0, 1000.0) for _ in range(cols)))
            if len(lines) == 10000:
                f.write("\n".join(lines) + "\n")
                lines = []
        if lines:
            f.write("\n".join(lines) + "\n")


CITIES = ["Paris", "Lyon", "Berlin", "Hamburg", "Madrid", "Seville", "Rome", "Milan",
          "Oslo", "Bergen", "Vienna", "Graz", "Prague", "Brno", "Lisbon", "Porto"]
WORDS = ["red", "green", "blue", "fast", "slow", "big", "small", "old", "new", "shiny"]


def mixed_row(rng, i):
    y, m, d = 2000 + rng.randrange(24), 1 + rng.randrange(12), 1 + rng.randrange(28)
    date = "%04d-%02d-%02d" % (y, m, d)
    stamp = "%04d/%02d/%02d %02d:%02d" % (y, m, d, rng.randrange(24), rng.randrange(60))
    city = rng.choice(CITIES)
    user = "user_%07d" % rng.randrange(10000000)
    qty = "NA" if rng.random() < 0.05 else str(rng.randrange(-500, 5000))
    price = "" if rng.random() < 0.05 else "%.2f" % rng.uniform(0, 10000)
    flag = "true" if rng.random() < 0.5 else "false"
    if rng.random() < 0.1:
        note = '"%s, %s ""%s"""' % (rng.choice(WORDS), rng.choice(WORDS), rng.choice(WORDS))
    else:
        note = "%s %s" % (rng.choice(WORDS), rng.choice(WORDS))
    score = "%.6g" % rng.gauss(0.5, 0.2)
    return ",".join([str(i), date, stamp, city, user, qty, price, flag, note, score])


def write_mixed(path, rows):
    rng = random.Random(SEED + 1)
    with open(path, "w", newline="") as f:
        f.write("id,date,stamp,city,user,qty,price,flag,note,score\n")
        lines = []
        for i in range(rows):
            lines.append(mixed_row(rng, i + 1))
            if len(lines) == 10000:
                f.write("\n".join(lines) + "\n")
                lines = []
        if lines:
            f.write("\n".join(lines) + "\n")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "build-bench/data"
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 1000000
    os.makedirs(out, exist_ok=True)
    for name, fn in (("numeric.csv", write_numeric), ("mixed.csv", write_mixed)):
        path = os.path.join(out, name)
        tmp = path + ".tmp"
        fn(tmp, rows)
        os.replace(tmp, path)
        print("%s: %d rows, %.1f MB" % (path, rows, os.path.getsize(path) / 1e6))


if __name__ == "__main__":
    main()
