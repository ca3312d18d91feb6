#!/usr/bin/env python3
"""Drafts bleed masks for labelled positive real DICOM slices, for a person to review (issue 12, explanations on real
bleeds). Acute blood is about 50-90 HU (clot up to 100); the draft keeps pixels in 45-100 HU inside the skull, away from bone (partial volume
of the skull reads as blood), opened to drop speckle, and keeps connected regions of at least --min-area pixels. It
writes <out>/<name>.mask.png (0/255) and a review sheet <out>/review.png (brain window, draft outline in red).

A draft is not a label: the reviewer keeps a mask only where the bleed is clear on the slice and edits or drops the rest
(see tests/Headsup.Models.Tests/Training/Fixtures/real-bleed-masks/README.md).

Usage: draft-bleed-masks.py --out DIR SLICE.dcm...
"""
import argparse
import os

import numpy as np
import pydicom
from PIL import Image, ImageDraw
from scipy import ndimage


def hu(path):
    ds = pydicom.dcmread(path)
    pixels = ds.pixel_array.astype(np.float32)
    slope = float(getattr(ds, "RescaleSlope", 1) or 1)
    intercept = float(getattr(ds, "RescaleIntercept", 0) or 0)
    return pixels * slope + intercept


def draft(image, min_area):
    bone = image > 150
    skull = ndimage.binary_closing(bone, iterations=3)
    filled = ndimage.binary_fill_holes(skull)
    if filled.sum() - skull.sum() < 0.05 * image.size:
        # The skull is open (orbits, skull base): close it harder before filling.
        filled = ndimage.binary_fill_holes(ndimage.binary_closing(bone, iterations=15))
    inside = filled & ~ndimage.binary_dilation(bone, iterations=3)
    blood = (image >= 45) & (image <= 100) & inside
    blood = ndimage.binary_opening(blood, iterations=1)
    labels, n = ndimage.label(blood)
    keep = np.zeros_like(blood)
    for i in range(1, n + 1):
        region = labels == i
        if region.sum() >= min_area:
            keep |= region
    return keep


def components(mask):
    labels, n = ndimage.label(mask)
    return labels, n


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--min-area", type=int, default=40)
    parser.add_argument("--keep", action="append", default=[],
                        help="NAME:X,Y — keep only the drafted region containing (or nearest to) pixel X,Y of slice NAME: the reviewer's pick of the bleed")
    parser.add_argument("slices", nargs="+")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    tiles = []
    for path in args.slices:
        image = hu(path)
        mask = draft(image, args.min_area)
        name = os.path.splitext(os.path.basename(path))[0]
        picks = [k.split(":", 1)[1] for k in args.keep if k.split(":", 1)[0] == name]
        labels, n = components(mask)
        if picks:
            chosen = np.zeros_like(mask)
            for pick in picks:
                x, y = (int(v) for v in pick.split(","))
                if labels[y, x] == 0:
                    distance, (iy, ix) = ndimage.distance_transform_edt(labels == 0, return_indices=True)
                    y, x = iy[y, x], ix[y, x]
                chosen |= labels == labels[y, x]
            mask = ndimage.binary_fill_holes(chosen)
        Image.fromarray((mask * 255).astype(np.uint8)).save(os.path.join(args.out, name + ".mask.png"))
        view = np.clip((image - 0) / 80 * 255, 0, 255).astype(np.uint8)
        tile = Image.fromarray(view).convert("RGB")
        edge = mask & ~ndimage.binary_erosion(mask)
        rgb = np.array(tile)
        rgb[edge] = [255, 0, 0]
        tile = Image.fromarray(rgb).resize((384, 384))
        draw = ImageDraw.Draw(tile)
        draw.text((6, 6), f"{name[:28]}  {int(mask.sum())} px", fill=(255, 255, 0))
        if not picks:
            for i in range(1, n + 1):
                cy, cx = ndimage.center_of_mass(labels == i)
                draw.text((cx * 384 / image.shape[1], cy * 384 / image.shape[0]), f"{int(cx)},{int(cy)}", fill=(0, 255, 255))
        tiles.append(tile)
    columns = 4
    rows = (len(tiles) + columns - 1) // columns
    sheet = Image.new("RGB", (columns * 384, rows * 384))
    for i, tile in enumerate(tiles):
        sheet.paste(tile, ((i % columns) * 384, (i // columns) * 384))
    sheet.save(os.path.join(args.out, "review.png"))


if __name__ == "__main__":
    main()
