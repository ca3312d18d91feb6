using System.Globalization;
using Headsup.Phantom.Anatomy;
using Headsup.Phantom.Lesions;
using Headsup.Phantom.Output;
using Headsup.Phantom.Raster;

namespace Headsup.Phantom;

/// <summary>
/// Makes one phantom study in memory: draws the head, renders the noise-free slices, places and tapers the lesions
/// across neighbouring slices, adds scanner noise, and labels each slice from its mask.
/// </summary>
public sealed class StudySynthesizer
{
    private readonly PhantomOptions _options;

    /// <summary>Creates the synthesizer; the options are validated.</summary>
    public StudySynthesizer(PhantomOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <summary>The seed of study <paramref name="studyIndex"/> (a SplitMix64 mix of the run seed and the index).</summary>
    public static int StudySeed(int seed, int studyIndex)
    {
        ulong z = unchecked(((ulong)(uint)seed << 32) + (ulong)(uint)studyIndex + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return (int)(z & 0x7FFFFFFF);
    }

    /// <summary>Synthesises study <paramref name="studyIndex"/> (0-based) of the run.</summary>
    public PhantomStudy Synthesize(int studyIndex, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(studyIndex);
        var random = new Random(StudySeed(_options.Seed, studyIndex));
        var identity = PhantomStudyIdentity.Create(random, _options.Seed, studyIndex + 1);
        var head = HeadParameters.Sample(random, _options.HeadHolder);
        int sliceCount = _options.SliceCount ?? random.Next(24, 41);
        double spacing = _options.PixelSpacingMm
            ?? Math.Round((0.45 + (0.05 * random.NextDouble())) * 512.0 / _options.MatrixSize, 4);
        var grid = new SliceGrid(_options.MatrixSize, _options.MatrixSize, spacing);
        var renderer = new HeadSliceRenderer(head, grid, sliceCount, _options.SliceThicknessMm, random);

        var clean = new HeadSlice[sliceCount];
        for (int k = 0; k < sliceCount; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            clean[k] = renderer.Render(k);
        }

        var masks = new byte[sliceCount][];
        for (int k = 0; k < sliceCount; k++)
        {
            masks[k] = new byte[grid.Length];
        }

        var lesions = new List<LesionPlan>();
        foreach (var subtype in ChooseSubtypes(random))
        {
            double conspicuity = _options.MinConspicuity + ((_options.MaxConspicuity - _options.MinConspicuity) * random.NextDouble());
            if (TryPlaceLesion(subtype, conspicuity, clean, masks, random, out var plan))
            {
                lesions.Add(plan);
            }
        }

        var noise = new ScannerNoise();
        var instanceNumbers = Enumerable.Range(1, sliceCount).ToArray();
        if (_options.ShuffleInstanceNumbers)
        {
            random.Shuffle(instanceNumbers);
        }

        var usedIds = new HashSet<string>(StringComparer.Ordinal);
        var slices = new PhantomSlice[sliceCount];
        double zBase = -Math.Round(sliceCount * _options.SliceThicknessMm * 0.5, 2);
        for (int k = 0; k < sliceCount; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var slice = clean[k];
            noise.Add(slice.Hu, grid, head.NoiseStdHu, random);
            string fileId;
            do
            {
                fileId = "ID_" + random.NextInt64(0, 1L << 36).ToString("x9", CultureInfo.InvariantCulture);
            }
            while (!usedIds.Add(fileId));

            string sop = SeededUid.Next(random);
            double z = Math.Round(zBase + (k * _options.SliceThicknessMm), 4);
            slices[k] = new PhantomSlice(fileId, sop, instanceNumbers[k], z, slice.Hu, slice.Tissue, masks[k], PositiveSubtypes(masks[k]));
        }

        return new PhantomStudy(identity, head, grid, _options.SliceThicknessMm, slices, lesions);
    }

    private List<HemorrhageSubtype> ChooseSubtypes(Random random)
    {
        switch (_options.Hemorrhage)
        {
            case HemorrhageMode.None:
                return [];
            case HemorrhageMode.Specified:
                return [.. _options.Subtypes];
            default:
                if (random.NextDouble() >= _options.PositiveStudyFraction)
                {
                    return [];
                }

                var pool = HemorrhageSubtypes.All.ToArray();
                random.Shuffle(pool);
                return [.. pool.Take(random.NextDouble() < 0.3 ? 2 : 1)];
        }
    }

    private static (double Low, double High) LevelRange(HemorrhageSubtype subtype) => subtype switch
    {
        HemorrhageSubtype.Intraparenchymal => (0.35, 0.85),
        HemorrhageSubtype.Epidural => (0.35, 0.85),
        HemorrhageSubtype.Subdural => (0.40, 0.85),
        HemorrhageSubtype.Subarachnoid => (0.25, 0.75),
        HemorrhageSubtype.Intraventricular => (0.42, 0.60),
        _ => (0.3, 0.8),
    };

    private static int HalfExtentSlices(HemorrhageSubtype subtype, double conspicuity, double thicknessMm)
    {
        double mm = subtype switch
        {
            HemorrhageSubtype.Intraparenchymal => 4 + (14 * conspicuity),
            HemorrhageSubtype.Epidural => 5 + (12 * conspicuity),
            HemorrhageSubtype.Subdural => 10 + (20 * conspicuity),
            HemorrhageSubtype.Subarachnoid => 5 + (10 * conspicuity),
            _ => 4 + (6 * conspicuity),
        };
        return Math.Max(1, (int)Math.Round(mm / thicknessMm));
    }

    private bool TryPlaceLesion(HemorrhageSubtype subtype, double conspicuity, HeadSlice[] clean, byte[][] masks, Random random, out LesionPlan plan)
    {
        int n = clean.Length;
        var (low, high) = LevelRange(subtype);
        var candidates = Enumerable.Range(0, n).Where(k => clean[k].Level >= low && clean[k].Level <= high).ToArray();
        if (candidates.Length == 0)
        {
            candidates = [n / 2];
        }

        int halfExtent = HalfExtentSlices(subtype, conspicuity, _options.SliceThicknessMm);
        for (int attempt = 0; attempt < 8; attempt++)
        {
            int center = candidates[random.Next(candidates.Length)];
            var context = Context(clean[center]);
            if (!LesionPlanner.TryPlan(subtype, conspicuity, context, random, out plan))
            {
                continue;
            }

            var trial = new byte[clean[center].Hu.Length];
            var trialHu = (float[])clean[center].Hu.Clone();
            if (LesionRenderer.Render(plan, context, 1.0, trialHu, trial, preserveTexture: false) < _options.PositiveMinPixels)
            {
                continue;
            }

            for (int k = Math.Max(0, center - halfExtent); k <= Math.Min(n - 1, center + halfExtent); k++)
            {
                double d = Math.Abs(k - center) / (double)(halfExtent + 1);
                double scale = Math.Sqrt(1 - (d * d));
                var sliceContext = k == center ? context : Context(clean[k]);
                var lesionMask = new byte[clean[k].Hu.Length];
                LesionRenderer.Render(plan, sliceContext, scale, clean[k].Hu, lesionMask, preserveTexture: false);
                byte code = subtype.MaskValue();
                var target = masks[k];
                for (int i = 0; i < lesionMask.Length; i++)
                {
                    if (lesionMask[i] != 0)
                    {
                        target[i] = code;
                    }
                }
            }

            return true;
        }

        plan = null!;
        return false;
    }

    private static SliceContext Context(HeadSlice slice)
    {
        var csf = new byte[slice.Tissue.Length];
        for (int i = 0; i < csf.Length; i++)
        {
            csf[i] = slice.Tissue[i] is TissueClass.Csf or TissueClass.Ventricle ? (byte)1 : (byte)0;
        }

        return SliceContext.Create(slice.Grid, slice.Hu, slice.IntracranialMask, csf, slice.VentricleMask());
    }

    private HashSet<HemorrhageSubtype> PositiveSubtypes(byte[] mask)
    {
        Span<int> counts = stackalloc int[HemorrhageSubtypes.All.Count];
        foreach (byte value in mask)
        {
            if (value != 0 && HemorrhageSubtypes.TryFromMaskValue(value, out var subtype))
            {
                counts[(int)subtype]++;
            }
        }

        var positive = new HashSet<HemorrhageSubtype>();
        foreach (var subtype in HemorrhageSubtypes.All)
        {
            if (counts[(int)subtype] >= _options.PositiveMinPixels)
            {
                positive.Add(subtype);
            }
        }

        return positive;
    }
}
