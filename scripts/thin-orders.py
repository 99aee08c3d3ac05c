#!/usr/bin/env python3
"""Keeps a seeded fraction of a data folder's order log, and all its shares.

    python3 scripts/thin-orders.py SRC DST FRACTION SEED

SRC is a folder of kocrank CSV files (items.csv, promoters.csv, orders.csv,
shares.csv, as `kocrank generate` writes them). DST gets each order row of SRC with
probability FRACTION (Python's `random.Random(SEED)`, one draw per row in file order)
and links to the other files. With FRACTION = 0.15 the small synthetic world has
about 69k orders beside 332k shares: a thin order log next to a full share log, as
on a platform where a post reaches a group and few of its members buy.
docs/network.md measures what shares are worth on such a log.
"""

import os
import random
import sys


def main() -> int:
    if len(sys.argv) != 5:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    src, dst, frac, seed = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
    if not 0.0 < frac <= 1.0:
        print(f"FRACTION must be in (0, 1], got {frac}", file=sys.stderr)
        return 2
    orders = os.path.join(src, "orders.csv")
    if not os.path.exists(orders):
        print(f"{orders}: no such file", file=sys.stderr)
        return 2
    os.makedirs(dst, exist_ok=True)
    rng = random.Random(seed)
    kept = total = 0
    with open(orders) as f, open(os.path.join(dst, "orders.csv"), "w") as g:
        g.write(f.readline())
        for line in f:
            total += 1
            if rng.random() < frac:
                g.write(line)
                kept += 1
    for name in ("items.csv", "promoters.csv", "shares.csv"):
        source, link = os.path.abspath(os.path.join(src, name)), os.path.join(dst, name)
        if os.path.exists(source) and not os.path.lexists(link):
            os.symlink(source, link)
    print(f"{dst}: kept {kept} of {total} orders")
    return 0


if __name__ == "__main__":
    sys.exit(main())
