#!/usr/bin/env python3
"""Render a sheet of samples from an .npz of images to a PNG, to look at them.

    python3 Tools/data/render_samples.py digits.npz sheet.png [--per-class 12] [--zoom 3]

Row k shows the first --per-class training images of class k (x_train,
y_train; x, y also work), each --zoom times enlarged, on a grey grid.
Needs only numpy (the PNG is written with zlib). Write the built-in digits
with Tools/data/render-builtin.sh, which runs this script.
"""
import argparse
import struct
import zlib

import numpy as np


def png(path, pixels):
    """Write a uint8 grey-scale array (H, W) as an 8-bit PNG."""
    height, width = pixels.shape
    rows = b"".join(b"\x00" + pixels[row].tobytes() for row in range(height))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(rows, 9)))
        f.write(chunk(b"IEND", b""))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("npz")
    parser.add_argument("png")
    parser.add_argument("--per-class", type=int, default=12)
    parser.add_argument("--zoom", type=int, default=3)
    args = parser.parse_args()

    data = np.load(args.npz)
    x = data["x_train"] if "x_train" in data else data["x"]
    y = data["y_train"] if "y_train" in data else data["y"]
    if y.ndim == 2 and y.shape[1] > 1:
        y = y.argmax(axis=1)
    y = y.reshape(-1)
    if x.ndim == 4:
        x = x[..., 0]
    if x.dtype != np.uint8:
        x = (np.clip(x, 0, 1) * 255).round().astype(np.uint8)
    classes = sorted(set(int(label) for label in y))
    _, height, width = x.shape
    gap = 2
    cell_h, cell_w = height * args.zoom + gap, width * args.zoom + gap
    sheet = np.full((len(classes) * cell_h + gap, args.per_class * cell_w + gap), 128, np.uint8)
    for row, label in enumerate(classes):
        for column, index in enumerate(np.flatnonzero(y == label)[: args.per_class]):
            image = np.kron(x[index], np.ones((args.zoom, args.zoom), np.uint8))
            top, left = gap + row * cell_h, gap + column * cell_w
            sheet[top : top + height * args.zoom, left : left + width * args.zoom] = image
    png(args.png, sheet)
    print(f"{args.png}: {len(classes)} classes x {args.per_class} samples from {args.npz}")


if __name__ == "__main__":
    main()
