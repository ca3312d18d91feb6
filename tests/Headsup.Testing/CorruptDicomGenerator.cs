using System.Buffers.Binary;
using System.Text;

namespace Headsup.Testing;

/// <summary>One corrupted copy of a DICOM file.</summary>
/// <param name="Name">File name: the base file's name, the corruption kind and the seed-derived detail.</param>
/// <param name="Kind">The corruption kind (see <see cref="CorruptDicomGenerator.Kinds"/>).</param>
/// <param name="Description">What was changed, for assertion messages.</param>
/// <param name="Bytes">The corrupted bytes.</param>
public sealed record CorruptDicom(string Name, string Kind, string Description, byte[] Bytes);

/// <summary>
/// Makes deterministic corrupted copies of a DICOM file for bad-input tests: truncations (in the header, in the pixel
/// data, a few bytes off the end), byte flips (header, pixel data), lengths set to 0xFFFFFFF0 (a random element, the
/// pixel data or a fragment), Rows/Columns set to 65535 and an absurd Number of Frames. The same bytes and seed always
/// give the same copies. The element walk here is deliberately independent of the reader under test: it only needs to
/// find where lengths, Rows/Columns and Pixel Data sit (explicit/implicit VR little endian; big endian and deflated
/// files get the kinds that need no walk).
/// </summary>
public static class CorruptDicomGenerator
{
    /// <summary>The corruption kinds, in the order <see cref="Generate"/> produces them.</summary>
    public static readonly IReadOnlyList<string> Kinds =
    [
        "trunc-header", "trunc-pixels", "trunc-tail", "flip-header", "flip-pixels",
        "len-element", "len-pixels", "rows-cols-65535", "frames-huge", "zero-pixels",
    ];

    private const uint HugeLength = 0xFFFFFFF0;
    private const uint PixelDataTag = 0x7FE00010;

    /// <summary>Every applicable corruption of <paramref name="original"/>; kinds that need an element the file lacks are left out.</summary>
    public static IReadOnlyList<CorruptDicom> Generate(byte[] original, string baseName, int seed)
    {
        ArgumentNullException.ThrowIfNull(original);
        var layout = Layout.Walk(original);
        var result = new List<CorruptDicom>();
        for (int k = 0; k < Kinds.Count; k++)
        {
            var random = new Random(HashCode(baseName, seed, k));
            var corrupt = Apply(Kinds[k], original, layout, random);
            if (corrupt is { } c)
            {
                result.Add(new CorruptDicom($"{baseName}.{Kinds[k]}.dcm", Kinds[k], c.Description, c.Bytes));
            }
        }

        return result;
    }

    /// <summary>Writes <see cref="Generate"/>'s copies of each file into <paramref name="folder"/>; returns their paths.</summary>
    public static IReadOnlyList<string> WriteCorpus(IEnumerable<string> files, string folder, int seed)
    {
        ArgumentNullException.ThrowIfNull(files);
        Directory.CreateDirectory(folder);
        var paths = new List<string>();
        foreach (var file in files)
        {
            foreach (var corrupt in Generate(File.ReadAllBytes(file), Path.GetFileNameWithoutExtension(file), seed))
            {
                var path = Path.Combine(folder, corrupt.Name);
                File.WriteAllBytes(path, corrupt.Bytes);
                paths.Add(path);
            }
        }

        return paths;
    }

    private static (string Description, byte[] Bytes)? Apply(string kind, byte[] original, Layout layout, Random random)
    {
        int headerStart = layout.DatasetStart;
        int pixelStart = layout.PixelValueStart ?? original.Length;
        switch (kind)
        {
            case "trunc-header":
            {
                if (pixelStart - headerStart < 16)
                {
                    return null;
                }

                int cut = random.Next(headerStart + 1, pixelStart);
                return ($"truncated to {cut} bytes (inside the header)", original[..cut]);
            }

            case "trunc-pixels":
            {
                if (layout.PixelValueStart is not { } p || original.Length - p < 16)
                {
                    return null;
                }

                int cut = random.Next(p + 1, original.Length - 8);
                return ($"truncated to {cut} bytes (inside the pixel data)", original[..cut]);
            }

            case "trunc-tail":
            {
                int cut = original.Length - random.Next(1, 65);
                return ($"last {original.Length - cut} bytes cut", original[..cut]);
            }

            case "flip-header":
                return Flip(original, headerStart, pixelStart, 8, random, "header");
            case "flip-pixels":
                return layout.PixelValueStart is { } ps ? Flip(original, ps, original.Length, 32, random, "pixel data") : null;
            case "len-element":
            {
                var candidates = layout.Elements.Where(e => e.Tag != PixelDataTag).ToList();
                if (candidates.Count == 0)
                {
                    return null;
                }

                var element = candidates[random.Next(candidates.Count)];
                return SetLength(original, element, $"element {element.Tag:X8}");
            }

            case "len-pixels":
            {
                var target = layout.Fragments.Count > 1 ? layout.Fragments[1] : layout.Fragments.Count == 1 ? layout.Fragments[0] : layout.Elements.FirstOrDefault(e => e.Tag == PixelDataTag);
                return target is null ? null : SetLength(original, target, layout.Fragments.Count > 0 ? "the first fragment" : "Pixel Data");
            }

            case "rows-cols-65535":
            {
                var rows = layout.Elements.FirstOrDefault(e => e.Tag == 0x00280010);
                var columns = layout.Elements.FirstOrDefault(e => e.Tag == 0x00280011);
                if (rows is null || columns is null || rows.Length != 2 || columns.Length != 2)
                {
                    return null;
                }

                var bytes = (byte[])original.Clone();
                BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(rows.ValueOffset), 65535);
                BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(columns.ValueOffset), 65535);
                return ("Rows and Columns set to 65535", bytes);
            }

            case "frames-huge":
            {
                // Number of Frames (0028,0008) IS: its digits are overwritten when present; single-frame files get
                // Bits Allocated 65535 instead (there is no room to insert an element without moving the rest).
                var frames = layout.Elements.FirstOrDefault(e => e.Tag == 0x00280008);
                if (frames is not null && frames.Length >= 2)
                {
                    var bytes = (byte[])original.Clone();
                    int width = (int)frames.Length;
                    var digits = Encoding.ASCII.GetBytes(new string('9', width));
                    digits.CopyTo(bytes, frames.ValueOffset);
                    return ("Number of Frames set to all nines", bytes);
                }

                var bitsAllocated = layout.Elements.FirstOrDefault(e => e.Tag == 0x00280100);
                if (bitsAllocated is null || bitsAllocated.Length != 2)
                {
                    return null;
                }

                var copy = (byte[])original.Clone();
                BinaryPrimitives.WriteUInt16LittleEndian(copy.AsSpan(bitsAllocated.ValueOffset), 0xFFFF);
                return ("Bits Allocated set to 65535", copy);
            }

            case "zero-pixels":
            {
                var pixels = layout.Elements.FirstOrDefault(e => e.Tag == PixelDataTag);
                if (pixels is null || layout.Fragments.Count > 0)
                {
                    // Encapsulated: zero the first fragment's bytes instead (a stream of zeros for the codec).
                    if (layout.Fragments.Count < 2)
                    {
                        return null;
                    }

                    var fragment = layout.Fragments[1];
                    var zeroed = (byte[])original.Clone();
                    zeroed.AsSpan(fragment.ValueOffset, (int)Math.Min(fragment.Length, (uint)(original.Length - fragment.ValueOffset))).Clear();
                    return ("first fragment's bytes zeroed", zeroed);
                }

                var bytes = original[..pixels.ValueOffset];
                WriteLength(bytes, pixels, 0);
                return ("Pixel Data of length 0 at the end of the file", bytes);
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown corruption kind");
        }
    }

    private static (string, byte[]) Flip(byte[] original, int from, int to, int count, Random random, string where)
    {
        var bytes = (byte[])original.Clone();
        if (to - from < 1)
        {
            from = 0;
            to = bytes.Length;
        }

        for (int i = 0; i < count; i++)
        {
            int at = random.Next(from, to);
            bytes[at] ^= (byte)random.Next(1, 256);
        }

        return ($"{count} random bytes flipped in the {where}", bytes);
    }

    private static (string, byte[]) SetLength(byte[] original, Spot spot, string what)
    {
        var bytes = (byte[])original.Clone();
        WriteLength(bytes, spot, spot.LengthSize == 2 ? 0xFFF0u : HugeLength);
        return ($"length of {what} set to 0x{(spot.LengthSize == 2 ? 0xFFF0u : HugeLength):X}", bytes);
    }

    private static void WriteLength(byte[] bytes, Spot spot, uint value)
    {
        if (spot.LengthSize == 2)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(spot.LengthOffset), (ushort)value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(spot.LengthOffset), value);
        }
    }

    private static int HashCode(string name, int seed, int kind)
    {
        // A stable hash (string.GetHashCode is randomised per process).
        uint h = 2166136261;
        foreach (char c in name)
        {
            h = (h ^ c) * 16777619;
        }

        return (int)((h ^ (uint)seed) * 16777619 ^ (uint)kind);
    }

    /// <summary>Where an element's tag, length field and value are.</summary>
    private sealed record Spot(uint Tag, int LengthOffset, int LengthSize, int ValueOffset, uint Length);

    /// <summary>The top-level elements and pixel data fragments found by a tolerant walk.</summary>
    private sealed class Layout
    {
        private static readonly HashSet<string> s_longVRs = ["OB", "OW", "OF", "OD", "OL", "OV", "SQ", "UT", "UN", "UC", "UR", "SV", "UV"];

        public int DatasetStart { get; private set; }

        public int? PixelValueStart { get; private set; }

        public List<Spot> Elements { get; } = [];

        public List<Spot> Fragments { get; } = [];

        public static Layout Walk(byte[] b)
        {
            var layout = new Layout();
            int pos = b.Length >= 132 && b.AsSpan(128, 4).SequenceEqual("DICM"u8) ? 132 : 0;
            string syntax = "1.2.840.10008.1.2";
            bool hasMeta = false;
            while (pos + 8 <= b.Length && BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(pos)) == 0x0002)
            {
                hasMeta = true;
                var spot = ReadSpot(b, pos, explicitVR: true);
                if (spot is null)
                {
                    break;
                }

                if (spot.Tag == 0x00020010)
                {
                    syntax = Encoding.ASCII.GetString(b, spot.ValueOffset, (int)Math.Min(spot.Length, 64)).TrimEnd('\0', ' ');
                }

                pos = spot.ValueOffset + (int)spot.Length;
            }

            layout.DatasetStart = pos;
            if (!hasMeta && pos == 0)
            {
                syntax = b.Length > 6 && char.IsAsciiLetterUpper((char)b[4]) ? "1.2.840.10008.1.2.1" : "1.2.840.10008.1.2";
            }

            if (syntax is "1.2.840.10008.1.2.2" or "1.2.840.10008.1.2.1.99")
            {
                return layout; // big endian or deflated: no walk
            }

            bool explicitVR = syntax != "1.2.840.10008.1.2";
            layout.WalkDataset(b, ref pos, explicitVR, depth: 0);
            return layout;
        }

        /// <summary>Walks elements until the end, an item delimiter (nested) or Pixel Data (top level).</summary>
        private bool WalkDataset(byte[] b, ref int pos, bool explicitVR, int depth)
        {
            while (pos + 8 <= b.Length)
            {
                if (IsDelimiter(b, pos, 0xE00D))
                {
                    pos += 8;
                    return true;
                }

                var spot = ReadSpot(b, pos, explicitVR);
                if (spot is null || depth > 8)
                {
                    return false;
                }

                if (depth == 0)
                {
                    Elements.Add(spot);
                }

                if (spot.Tag == PixelDataTag && depth == 0)
                {
                    PixelValueStart = spot.ValueOffset;
                    if (spot.Length == 0xFFFFFFFF)
                    {
                        WalkFragments(b, spot.ValueOffset);
                    }

                    return true;
                }

                if (spot.Length == 0xFFFFFFFF)
                {
                    // A sequence of undefined length: items end with (FFFE,E00D), the sequence with (FFFE,E0DD).
                    pos = spot.ValueOffset;
                    if (!WalkSequence(b, ref pos, explicitVR, depth))
                    {
                        return false;
                    }

                    continue;
                }

                pos = spot.ValueOffset + (int)spot.Length;
            }

            return true;
        }

        private bool WalkSequence(byte[] b, ref int pos, bool explicitVR, int depth)
        {
            while (pos + 8 <= b.Length)
            {
                if (IsDelimiter(b, pos, 0xE0DD))
                {
                    pos += 8;
                    return true;
                }

                if (!IsDelimiter(b, pos, 0xE000, anyLength: true))
                {
                    return false;
                }

                uint length = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(pos + 4));
                pos += 8;
                if (length != 0xFFFFFFFF)
                {
                    pos += (int)Math.Min(length, (uint)(b.Length - pos));
                }
                else if (!WalkDataset(b, ref pos, explicitVR, depth + 1))
                {
                    return false;
                }
            }

            return false;
        }

        private static bool IsDelimiter(byte[] b, int pos, ushort element, bool anyLength = false) =>
            BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(pos)) == 0xFFFE
            && BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(pos + 2)) == element
            && (anyLength || BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(pos + 4)) == 0);

        private void WalkFragments(byte[] b, int pos)
        {
            while (pos + 8 <= b.Length && BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(pos)) == 0xFFFE)
            {
                ushort element = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(pos + 2));
                uint length = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(pos + 4));
                if (element != 0xE000 || length > (uint)(b.Length - pos - 8))
                {
                    break;
                }

                Fragments.Add(new Spot(0xFFFEE000, pos + 4, 4, pos + 8, length));
                pos += 8 + (int)length;
            }
        }

        private static Spot? ReadSpot(byte[] b, int pos, bool explicitVR)
        {
            uint tag = ((uint)BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(pos)) << 16) | BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(pos + 2));
            if (explicitVR)
            {
                string vr = Encoding.ASCII.GetString(b, pos + 4, 2);
                if (s_longVRs.Contains(vr))
                {
                    if (pos + 12 > b.Length)
                    {
                        return null;
                    }

                    uint length = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(pos + 8));
                    return Fits(b, pos + 12, length) ? new Spot(tag, pos + 8, 4, pos + 12, length) : null;
                }

                ushort shortLength = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(pos + 6));
                return Fits(b, pos + 8, shortLength) ? new Spot(tag, pos + 6, 2, pos + 8, shortLength) : null;
            }

            uint implicitLength = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(pos + 4));
            return Fits(b, pos + 8, implicitLength) ? new Spot(tag, pos + 4, 4, pos + 8, implicitLength) : null;
        }

        private static bool Fits(byte[] b, int valueOffset, uint length) => length == 0xFFFFFFFF || length <= (uint)(b.Length - valueOffset);
    }
}
