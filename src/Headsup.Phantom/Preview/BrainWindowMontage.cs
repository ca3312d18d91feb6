using Headsup.Core.IO;
using Headsup.Dicom.Writing;
using Headsup.Imaging.Export;
using Headsup.Imaging.Windowing;

namespace Headsup.Phantom.Preview;

/// <summary>
/// Tiles HU slices into one 8-bit gray PNG in a display window (brain 40/80 by default), optionally outlining a
/// lesion mask in white — a quick look at phantom output.
/// </summary>
public static class BrainWindowMontage
{
    /// <summary>Writes the montage; slices must all be <paramref name="rows"/> × <paramref name="columns"/>.</summary>
    public static void Write(
        string path,
        IReadOnlyList<float[]> slices,
        int rows,
        int columns,
        int tilesPerRow,
        HuWindow? window = null,
        IReadOnlyList<byte[]?>? outlines = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(slices);
        ArgumentOutOfRangeException.ThrowIfLessThan(tilesPerRow, 1);
        if (slices.Count == 0)
        {
            throw new ArgumentException("no slices to tile", nameof(slices));
        }

        int tileRows = (slices.Count + tilesPerRow - 1) / tilesPerRow;
        int width = tilesPerRow * columns;
        int height = tileRows * rows;
        var pixels = new byte[width * height];
        var display = window ?? HuWindow.Brain;
        for (int s = 0; s < slices.Count; s++)
        {
            var hu = slices[s];
            if (hu.Length != rows * columns)
            {
                throw new ArgumentException($"slice {s} has {hu.Length} pixels, not {rows}×{columns}", nameof(slices));
            }

            var outline = outlines is not null && s < outlines.Count ? outlines[s] : null;
            int ox = (s % tilesPerRow) * columns;
            int oy = (s / tilesPerRow) * rows;
            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < columns; c++)
                {
                    int i = (r * columns) + c;
                    byte value = (byte)MathF.Round(display.Apply(hu[i]) * 255f);
                    if (outline is not null && outline[i] != 0 && IsEdge(outline, r, c, rows, columns))
                    {
                        value = 255;
                    }

                    pixels[((oy + r) * width) + ox + c] = value;
                }
            }
        }

        AtomicFile.Write(path, stream => PngWriter.Write(stream, pixels, width, height, 1));
    }

    private static bool IsEdge(byte[] mask, int r, int c, int rows, int columns) =>
        r == 0 || c == 0 || r == rows - 1 || c == columns - 1
        || mask[((r - 1) * columns) + c] == 0 || mask[((r + 1) * columns) + c] == 0
        || mask[(r * columns) + c - 1] == 0 || mask[(r * columns) + c + 1] == 0;
}
