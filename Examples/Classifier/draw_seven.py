#!/usr/bin/env python3
"""Draw seven.npy: a 28x28 float32 "7" that is not from MNIST (numpy only).

    python3 draw_seven.py      (writes seven.npy next to this script)

A top bar and a slanted stem, 2-3 pixels thick, soft-edged like MNIST's
anti-aliased strokes, centred roughly as MNIST centres its digits.
"""
from pathlib import Path

import numpy as np


def stroke(image, start, end, width=1.4):
    """Adds a line segment with a soft edge: intensity falls off with distance."""
    rows, cols = np.mgrid[0:28, 0:28].astype(np.float32)
    (r0, c0), (r1, c1) = start, end
    dr, dc = r1 - r0, c1 - c0
    t = np.clip(((rows - r0) * dr + (cols - c0) * dc) / (dr * dr + dc * dc), 0, 1)
    distance = np.hypot(rows - (r0 + t * dr), cols - (c0 + t * dc))
    np.maximum(image, np.clip(width + 0.5 - distance, 0, 1), out=image)


image = np.zeros((28, 28), dtype=np.float32)
stroke(image, (7, 7), (7, 20))     # the bar
stroke(image, (7, 20), (22, 12))   # the stem
np.save(Path(__file__).resolve().parent / "seven.npy", image)
