using System.Numerics;
using System.Runtime.InteropServices;
using Headsup.Imaging.Masks;
using Headsup.Imaging.Windowing;
using Headsup.Inputs;

namespace Headsup.Datasets;

/// <summary>One set of images that show the same slice (or adjacent slices of one head), found by <see cref="NearDuplicates"/>.</summary>
/// <param name="Id">The patient id its members now share (<see cref="NearDuplicates.GroupPrefix"/> + the first member's relative file, ordinal order).</param>
/// <param name="Files">Its members' relative files, ordinal order.</param>
/// <param name="MinCorrelation">The weakest link that joined the group (single linkage).</param>
/// <param name="LabelsAgree">False when members carry different <c>any</c> labels: one of them is probably mislabelled.</param>
public sealed record NearDuplicateGroup(string Id, IReadOnlyList<string> Files, double MinCorrelation, bool LabelsAgree);

/// <summary>What <see cref="NearDuplicates.Group"/> did.</summary>
/// <param name="Samples">The samples in the order given; members of a group carry its <see cref="NearDuplicateGroup.Id"/> as patient id.</param>
/// <param name="Groups">The groups of two or more images, ordered by id.</param>
/// <param name="Compared">Images without a patient id that were compared (every pair).</param>
/// <param name="Threshold">The correlation at or above which two images were linked.</param>
/// <param name="Problems">Images that could not be read or have no head: left alone (their own patient), each with why.</param>
public sealed record NearDuplicateGrouping(IReadOnlyList<LabeledSample> Samples, IReadOnlyList<NearDuplicateGroup> Groups, int Compared, double Threshold, IReadOnlyList<DatasetProblem> Problems)
{
    /// <summary>One line for a log: how many images were compared and grouped.</summary>
    public string Summary =>
        $"near-duplicates: {Groups.Count} group(s) of {Groups.Sum(g => g.Files.Count)} images among {Compared} without a patient id (signature correlation ≥ {Threshold.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)}; each group goes to one side of every split)"
        + (Groups.Any(g => !g.LabelsAgree) ? $"; {Groups.Count(g => !g.LabelsAgree)} with labels that disagree" : string.Empty)
        + (Problems.Count > 0 ? $"; {Problems.Count} image(s) not compared" : string.Empty);
}

/// <summary>
/// Finds images that show the same slice — another export of it at another crop, size or window, or an adjacent slice
/// of the same head — among samples that have no patient id (each is then its own patient, so a random split can put
/// one copy in training and the other in validation, and validation measures memory, not transfer). Each image is
/// reduced to a signature of its intracranial space (skull, scalp, text and rulers dropped), centred on that space and
/// scaled to its size, averaged down to <see cref="SignatureSize"/>² and normalised to zero mean and unit length, so
/// crop, scale, brightness and contrast do not matter; DICOM slices are first rendered at the 40/80 brain window. Two
/// images whose signatures correlate at or above the threshold are linked, and linked images (single linkage) share a
/// patient id, so <see cref="PatientSplitter"/> keeps them on one side. Samples that have a patient id are left as they
/// are. The grouping is a lower bound on the overlap, not a patient id: on the 140 Kaggle PNGs it joins 9 of the 10
/// same-slice pairs found by eye (a copy whose skull the crop cuts can escape) and some adjacent slices of one head.
/// </summary>
public static class NearDuplicates
{
    /// <summary>Side of the square signature, in cells.</summary>
    public const int SignatureSize = 32;

    /// <summary>Side of the square a signature covers, in radii of the intracranial space (a little beyond its edge).</summary>
    public const double SpanRadii = 2.2;

    /// <summary>Display levels below the head's 97th percentile from which a pixel counts as skull for the signature.</summary>
    public const float BrightMarginLevels = 30f;

    /// <summary>The lowest display value that counts as skull for the signature.</summary>
    public const float MinBrightDisplay = 120f;

    /// <summary>Fewest intracranial pixels a signature is made from.</summary>
    public const int MinBrainPixels = 400;

    /// <summary>
    /// The default correlation at or above which two images are one slice: on the 140 Kaggle PNGs every pair at or above
    /// 0.97 is the same slice at another crop or window or an adjacent slice of one head (checked by eye); below it
    /// same-head pairs and different heads mix.
    /// </summary>
    public const double DefaultThreshold = 0.97;

    /// <summary>Most images without a patient id compared (every pair; signatures take 4 KB each).</summary>
    public const int MaxImages = 10_000;

    /// <summary>Prefix of the patient id a group's members get.</summary>
    public const string GroupPrefix = "near-duplicates:";

    /// <summary>
    /// The image's signature: its intracranial space alone (<see cref="Intracranial"/>; skull, scalp, text and rulers
    /// dropped), in a square centred on that space's centroid with a side of <see cref="SpanRadii"/> times its radius
    /// (√(area/π)), so crop and size do not matter; <see cref="SignatureSize"/>² box means, zero mean and unit length,
    /// so brightness and contrast do not. Null when no intracranial space is found or it is flat.
    /// </summary>
    public static float[]? Signature(SliceImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var display = DisplayRendering.Render(image, HuWindow.Brain);
        int w = display.Width, h = display.Height;
        var mask = Intracranial(display);

        double count = 0, sx = 0, sy = 0;
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                if (mask[(y * w) + x] != 0)
                {
                    count++;
                    sx += x;
                    sy += y;
                }
            }
        }

        if (count < MinBrainPixels)
        {
            return null;
        }

        double cx = sx / count, cy = sy / count, half = SpanRadii / 2 * Math.Sqrt(count / Math.PI);
        double cell = 2 * half / SignatureSize;
        var signature = new float[SignatureSize * SignatureSize];
        var cellCount = new int[signature.Length];
        for (int y = 0; y < h; y++)
        {
            int r = (int)Math.Floor((y + 0.5 - (cy - half)) / cell);
            if (r is < 0 or >= SignatureSize)
            {
                continue;
            }

            for (int x = 0; x < w; x++)
            {
                int c = (int)Math.Floor((x + 0.5 - (cx - half)) / cell);
                if (c is < 0 or >= SignatureSize)
                {
                    continue;
                }

                int i = (r * SignatureSize) + c;
                cellCount[i]++;
                if (mask[(y * w) + x] != 0)
                {
                    signature[i] += display.Pixels[(y * w) + x];
                }
            }
        }

        for (int i = 0; i < signature.Length; i++)
        {
            signature[i] = cellCount[i] > 0 ? signature[i] / cellCount[i] : 0;
        }

        double mean = signature.Average(v => (double)v);
        double norm = Math.Sqrt(signature.Sum(v => (v - mean) * (v - mean)));
        if (norm < 1e-6)
        {
            return null;
        }

        for (int i = 0; i < signature.Length; i++)
        {
            signature[i] = (float)((signature[i] - mean) / norm);
        }

        return signature;
    }

    /// <summary>
    /// The space the skull encloses: the largest region of the pixels that the bright pixels (from
    /// <see cref="BrightMarginLevels"/> below the head's 97th percentile, at least <see cref="MinBrightDisplay"/>; low
    /// enough for the gray skull of a film-style export) close off from the border (the image's edge closes a skull cut by the crop), its holes filled. Where that is under a fifth of the
    /// head (an open skull base, a skull cut by the crop), the head instead (<see cref="InputBuilder.HeadMask"/>).
    /// </summary>
    private static byte[] Intracranial(SliceImage display)
    {
        int w = display.Width, h = display.Height, n = w * h;
        var head = InputBuilder.HeadMask(display);
        int headCount = head.Count(m => m != 0);
        int p97 = DisplayBone.HeadLevel(display.Pixels, 0.97, head);
        float threshold = Math.Max(p97 - BrightMarginLevels, MinBrightDisplay);
        var open = new byte[n];
        for (int i = 0; i < n; i++)
        {
            open[i] = head[i] != 0 && display.Pixels[i] >= threshold ? (byte)0 : (byte)1;
        }

        // Where the head runs off the image (a skull cut by the crop), the image's edge closes it.
        for (int x = 0; x < w; x++)
        {
            Close(x, 0);
            Close(x, h - 1);
        }

        for (int y = 0; y < h; y++)
        {
            Close(0, y);
            Close(w - 1, y);
        }

        var outside = Morphology.ReachableFromBorder(open, w, h);
        var enclosed = new byte[n];
        for (int i = 0; i < n; i++)
        {
            enclosed[i] = open[i] != 0 && outside[i] == 0 ? (byte)1 : (byte)0;
        }

        var (inside, insideCount) = Morphology.Largest(enclosed, w, h);
        if (insideCount < Math.Max(MinBrainPixels, headCount / 5))
        {
            return head;
        }

        // Holes filled: a bleed or calcification as bright as the skull is inside, not a second wall.
        for (int i = 0; i < n; i++)
        {
            open[i] = inside[i] == 0 ? (byte)1 : (byte)0;
        }

        var beyond = Morphology.ReachableFromBorder(open, w, h);
        for (int i = 0; i < n; i++)
        {
            inside[i] = beyond[i] == 0 ? (byte)1 : (byte)0;
        }

        return inside;

        void Close(int x, int y)
        {
            if (head[(y * w) + x] != 0)
            {
                open[(y * w) + x] = 0;
            }
        }
    }

    /// <summary>Pearson correlation of two signatures (their dot product: both have zero mean and unit length).</summary>
    public static double Correlation(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException($"signatures of {a.Length} and {b.Length} values");
        }

        var va = MemoryMarshal.Cast<float, Vector<float>>(a);
        var vb = MemoryMarshal.Cast<float, Vector<float>>(b);
        var acc = Vector<float>.Zero;
        for (int i = 0; i < va.Length; i++)
        {
            acc += va[i] * vb[i];
        }

        float dot = Vector.Dot(acc, Vector<float>.One);
        for (int i = va.Length * Vector<float>.Count; i < a.Length; i++)
        {
            dot += a[i] * b[i];
        }

        return dot;
    }

    /// <summary>
    /// Groups the samples without a patient id (<see cref="LabeledSample.RowPatientId"/>) that show the same slice; see
    /// the class summary. The result does not depend on the order of <paramref name="samples"/>.
    /// </summary>
    /// <param name="samples">Samples to group.</param>
    /// <param name="threshold">Correlation at or above which two images are linked, in (0, 1].</param>
    /// <param name="load">Reads a sample's image (e.g. <see cref="SampleImages.Load"/>).</param>
    /// <param name="progress">Images read so far.</param>
    /// <param name="cancellationToken">Stops between images and between rows of pairs.</param>
    /// <exception cref="DatasetException">More than <see cref="MaxImages"/> images without a patient id.</exception>
    public static NearDuplicateGrouping Group(IReadOnlyList<LabeledSample> samples, double threshold, Func<LabeledSample, SliceImage> load, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(load);
        if (!(threshold is > 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "must be within (0, 1]");
        }

        // Each file once (a file listed twice is one image), in ordinal order so the result ignores the input order.
        var candidates = samples.Where(IsCandidate)
            .GroupBy(s => s.RelativeFile, StringComparer.Ordinal)
            .Select(g => g.First())
            .OrderBy(s => s.RelativeFile, StringComparer.Ordinal)
            .ToList();
        if (candidates.Count > MaxImages)
        {
            throw new DatasetException($"{candidates.Count} images have no patient id; near-duplicate grouping compares every pair and is limited to {MaxImages}: give the labels a patient_id column instead");
        }

        var problems = new List<DatasetProblem>();
        var signed = new List<(LabeledSample Sample, float[] Signature)>(candidates.Count);
        for (int i = 0; i < candidates.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var sample = candidates[i];
            try
            {
                if (Signature(load(sample)) is { } signature)
                {
                    signed.Add((sample, signature));
                }
                else
                {
                    problems.Add(new DatasetProblem(sample.File, "no head found: not compared for near-duplicates"));
                }
            }
            catch (SliceImageException ex)
            {
                problems.Add(new DatasetProblem(sample.File, "not compared for near-duplicates: " + ex.Problem));
            }

            progress?.Report(i + 1);
        }

        var parent = Enumerable.Range(0, signed.Count).ToArray();
        var links = new List<(int A, int B, double R)>();
        for (int a = 0; a < signed.Count; a++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (int b = a + 1; b < signed.Count; b++)
            {
                double r = Correlation(signed[a].Signature, signed[b].Signature);
                if (r >= threshold)
                {
                    links.Add((a, b, r));
                    parent[Find(parent, a)] = Find(parent, b);
                }
            }
        }

        var members = Enumerable.Range(0, signed.Count).GroupBy(i => Find(parent, i)).Where(g => g.Count() > 1).ToList();
        var groups = new List<NearDuplicateGroup>();
        var idOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var group in members)
        {
            var files = group.Select(i => signed[i].Sample.RelativeFile).Order(StringComparer.Ordinal).ToList();
            string id = GroupPrefix + files[0];
            double min = links.Where(l => Find(parent, l.A) == group.Key).Min(l => l.R);
            bool agree = group.Select(i => signed[i].Sample.Any).Distinct().Count() == 1;
            groups.Add(new NearDuplicateGroup(id, files, min, agree));
            foreach (var file in files)
            {
                idOf[file] = id;
            }
        }

        var grouped = samples.Select(s => IsCandidate(s) && idOf.TryGetValue(s.RelativeFile, out var id) ? s with { PatientId = id } : s).ToList();
        return new NearDuplicateGrouping(grouped, groups.OrderBy(g => g.Id, StringComparer.Ordinal).ToList(), candidates.Count, threshold, problems);
    }

    /// <summary>True for a sample <see cref="Group"/> compares: one without a patient id (its own patient, <see cref="LabeledSample.RowPatientId"/>).</summary>
    public static bool IsCandidate(LabeledSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        return sample.PatientId == LabeledSample.RowPatientId(sample.RelativeFile);
    }

    private static int Find(int[] parent, int i)
    {
        while (parent[i] != i)
        {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }

        return i;
    }
}
