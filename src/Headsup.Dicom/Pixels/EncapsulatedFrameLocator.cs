namespace Headsup.Dicom.Pixels;

/// <summary>A frame's fragments: first fragment index and how many fragments make it up.</summary>
public readonly record struct FrameFragments(int First, int Count);

/// <summary>
/// Finds which fragments form each frame of encapsulated pixel data (PS3.5 A.4): all fragments for a single frame;
/// the basic offset table when present; one fragment per frame when the counts agree; else JPEG/J2K start markers.
/// </summary>
public static class EncapsulatedFrameLocator
{
    /// <summary>Locates the frames.</summary>
    /// <exception cref="DicomPixelDataException">The fragments cannot be matched to the frames.</exception>
    public static FrameFragments[] Locate(DicomFragments pixelData, int frameCount, string source)
    {
        ArgumentNullException.ThrowIfNull(pixelData);
        var fragments = pixelData.Fragments;
        if (fragments.Count == 0)
        {
            throw new DicomPixelDataException(source, "encapsulated pixel data has no fragments");
        }

        if (frameCount == 1)
        {
            return [new FrameFragments(0, fragments.Count)];
        }

        var table = pixelData.BasicOffsetTable;
        if (table.Count > 0)
        {
            if (table.Count != frameCount)
            {
                throw new DicomPixelDataException(source, $"basic offset table has {table.Count} entries for {frameCount} frames");
            }

            var starts = new int[frameCount];
            int fragment = 0;
            for (int frame = 0; frame < frameCount; frame++)
            {
                while (fragment < fragments.Count && fragments[fragment].RelativeOffset < table[frame])
                {
                    fragment++;
                }

                if (fragment >= fragments.Count || fragments[fragment].RelativeOffset != table[frame])
                {
                    throw new DicomPixelDataException(source, $"basic offset table entry {frame} ({table[frame]}) does not point at a fragment");
                }

                starts[frame] = fragment;
            }

            return ToRanges(starts, fragments.Count);
        }

        if (fragments.Count == frameCount)
        {
            return Enumerable.Range(0, frameCount).Select(i => new FrameFragments(i, 1)).ToArray();
        }

        var markerStarts = new List<int>();
        for (int i = 0; i < fragments.Count; i++)
        {
            if (StartsCodestream(fragments[i].Data.Span))
            {
                markerStarts.Add(i);
            }
        }

        if (markerStarts.Count == frameCount && markerStarts[0] == 0)
        {
            return ToRanges(markerStarts.ToArray(), fragments.Count);
        }

        throw new DicomPixelDataException(source, $"cannot tell which of {fragments.Count} fragments belong to which of {frameCount} frames (no basic offset table)");
    }

    private static bool StartsCodestream(ReadOnlySpan<byte> data) =>
        data.Length >= 2 && data[0] == 0xFF && (data[1] == 0xD8 || data[1] == 0x4F);

    private static FrameFragments[] ToRanges(int[] starts, int total)
    {
        var result = new FrameFragments[starts.Length];
        for (int i = 0; i < starts.Length; i++)
        {
            int end = i + 1 < starts.Length ? starts[i + 1] : total;
            result[i] = new FrameFragments(starts[i], end - starts[i]);
        }

        return result;
    }
}
