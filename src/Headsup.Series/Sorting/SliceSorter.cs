using System.Globalization;
using Headsup.Series.Grouping;

namespace Headsup.Series.Sorting;

/// <summary>
/// Orders the slices of a series along the slice normal (row × column cosine of Image Orientation (Patient), dotted
/// with Image Position (Patient)), never by file name or Instance Number; Instance Number is only a stated fallback
/// when no positions are present. Reports duplicates, gaps, inconsistent geometry, oblique planes and gantry tilt.
/// </summary>
public static class SliceSorter
{
    /// <summary>Sorts a series.</summary>
    public static SortedSeries Sort(DicomSeries series, SliceSortOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        options ??= SliceSortOptions.Default;
        var problems = new List<SeriesProblem>();

        var unique = RemoveDuplicateInstances(series.Instances, problems);
        var orientation = CheckOrientation(unique, options, problems);
        var pixelSpacing = CheckPixelSpacing(unique, options, problems);
        CheckDimensions(unique, problems);
        CheckMultiFrame(unique, problems);

        var positioned = unique.Where(i => i.ImagePositionPatientMm.HasValue && i.ImageOrientationPatient is not null).ToList();
        SortedSeries sorted;
        if (orientation is not null && (positioned.Count >= 2 || (positioned.Count == 1 && unique.Count == 1)))
        {
            var missing = unique.Where(i => !positioned.Contains(i)).ToList();
            if (missing.Count > 0)
            {
                problems.Add(new SeriesProblem(
                    SeriesProblemKind.MissingPosition,
                    $"{missing.Count} of {unique.Count} instances lack Image Position or Orientation (Patient) and were left out: {Names(missing)}",
                    missing.Select(i => i.Source.Location).ToArray()));
            }

            sorted = SortByPosition(series, positioned, orientation, pixelSpacing, options, problems);
        }
        else
        {
            sorted = SortByInstanceNumber(series, unique, orientation, pixelSpacing, problems);
        }

        if (orientation is not null && orientation.ObliquityDegrees > options.ObliqueThresholdDegrees)
        {
            problems.Add(new SeriesProblem(
                SeriesProblemKind.Oblique,
                Format($"the slice normal {orientation.Normal} is {orientation.ObliquityDegrees:0.#}° from the nearest patient axis ({orientation.AngleFromAxialDegrees:0.#}° from Z)"),
                []));
        }

        return sorted;
    }

    private static List<InstanceHeader> RemoveDuplicateInstances(IReadOnlyList<InstanceHeader> instances, List<SeriesProblem> problems)
    {
        var unique = new List<InstanceHeader>(instances.Count);
        foreach (var group in instances.GroupBy(i => i.SopInstanceUid, StringComparer.Ordinal))
        {
            var copies = group.ToList();
            unique.Add(copies[0]);
            if (copies.Count > 1)
            {
                problems.Add(new SeriesProblem(
                    SeriesProblemKind.DuplicateInstance,
                    $"SOP Instance UID {group.Key} is stored {copies.Count} times: kept {copies[0].Source.Name}, dropped {Names(copies.Skip(1))}",
                    copies.Select(i => i.Source.Location).ToArray()));
            }
        }

        return unique;
    }

    private static ImageOrientation? CheckOrientation(List<InstanceHeader> instances, SliceSortOptions options, List<SeriesProblem> problems)
    {
        var withOrientation = instances.Where(i => i.ImageOrientationPatient is not null).ToList();
        var common = MostCommon(withOrientation.Select(i => i.ImageOrientationPatient!).ToList(), (a, b) => a.IsSameAs(b, options.OrientationToleranceDegrees));
        if (common is null)
        {
            return null;
        }

        var odd = withOrientation.Where(i => !i.ImageOrientationPatient!.IsSameAs(common, options.OrientationToleranceDegrees)).ToList();
        if (odd.Count > 0)
        {
            problems.Add(new SeriesProblem(
                SeriesProblemKind.InconsistentOrientation,
                $"{odd.Count} of {withOrientation.Count} instances differ from the common orientation ({common}) by more than " +
                Format($"{options.OrientationToleranceDegrees}°, e.g. {odd[0].Source.Name} has {odd[0].ImageOrientationPatient}"),
                odd.Select(i => i.Source.Location).ToArray()));
        }

        return common;
    }

    private static PixelSpacingMm? CheckPixelSpacing(List<InstanceHeader> instances, SliceSortOptions options, List<SeriesProblem> problems)
    {
        var withSpacing = instances.Where(i => i.PixelSpacing.HasValue).ToList();
        var values = withSpacing.Select(i => i.PixelSpacing!.Value).ToList();
        if (values.Count == 0)
        {
            return null;
        }

        var common = MostCommon(values, (a, b) => a.IsSameAs(b, options.PixelSpacingToleranceMm));
        var odd = withSpacing.Where(i => !i.PixelSpacing!.Value.IsSameAs(common, options.PixelSpacingToleranceMm)).ToList();
        if (odd.Count > 0)
        {
            problems.Add(new SeriesProblem(
                SeriesProblemKind.InconsistentPixelSpacing,
                $"{odd.Count} of {withSpacing.Count} instances differ from the common pixel spacing {common}, e.g. {odd[0].Source.Name} has {odd[0].PixelSpacing}",
                odd.Select(i => i.Source.Location).ToArray()));
        }

        return common;
    }

    private static void CheckDimensions(List<InstanceHeader> instances, List<SeriesProblem> problems)
    {
        var sizes = instances.Where(i => i.Rows.HasValue && i.Columns.HasValue).ToList();
        if (sizes.Count == 0)
        {
            return;
        }

        var common = MostCommon(sizes.Select(i => (i.Rows!.Value, i.Columns!.Value)).ToList(), (a, b) => a == b);
        var odd = sizes.Where(i => (i.Rows!.Value, i.Columns!.Value) != common).ToList();
        if (odd.Count > 0)
        {
            problems.Add(new SeriesProblem(
                SeriesProblemKind.InconsistentDimensions,
                Format($"{odd.Count} of {sizes.Count} instances differ from the common size {common.Item1}×{common.Item2}, e.g. {odd[0].Source.Name} is {odd[0].Rows}×{odd[0].Columns}"),
                odd.Select(i => i.Source.Location).ToArray()));
        }
    }

    private static void CheckMultiFrame(List<InstanceHeader> instances, List<SeriesProblem> problems)
    {
        var multi = instances.Where(i => i.NumberOfFrames > 1).ToList();
        if (multi.Count > 0)
        {
            problems.Add(new SeriesProblem(
                SeriesProblemKind.MultiFrame,
                Format($"{multi.Count} instances hold several frames (e.g. {multi[0].Source.Name} has {multi[0].NumberOfFrames}); per-frame positions are not read"),
                multi.Select(i => i.Source.Location).ToArray()));
        }
    }

    private static SortedSeries SortByPosition(
        DicomSeries series,
        List<InstanceHeader> positioned,
        ImageOrientation orientation,
        PixelSpacingMm? pixelSpacing,
        SliceSortOptions options,
        List<SeriesProblem> problems)
    {
        var normal = orientation.Normal;
        var ordered = positioned
            .Select(i => new SortedSlice(i, normal.Dot(i.ImagePositionPatientMm!.Value)))
            .OrderBy(s => s.PositionMm!.Value)
            .ThenBy(s => s.Instance.InstanceNumber ?? int.MaxValue)
            .ThenBy(s => s.Instance.Source.Name, StringComparer.Ordinal)
            .ToList();

        var kept = new List<SortedSlice>(ordered.Count);
        for (int i = 0; i < ordered.Count;)
        {
            int j = i + 1;
            while (j < ordered.Count && ordered[j].PositionMm!.Value - ordered[i].PositionMm!.Value < options.DuplicatePositionToleranceMm)
            {
                j++;
            }

            kept.Add(ordered[i]);
            if (j - i > 1)
            {
                var dropped = ordered.Skip(i + 1).Take(j - i - 1).Select(s => s.Instance).ToList();
                problems.Add(new SeriesProblem(
                    SeriesProblemKind.DuplicatePosition,
                    Format($"{j - i} slices at z = {ordered[i].PositionMm:0.###} mm: kept {ordered[i].Instance.Source.Name}, dropped {Names(dropped)}"),
                    ordered.Skip(i).Take(j - i).Select(s => s.Instance.Source.Location).ToArray()));
            }

            i = j;
        }

        double? spacing = null;
        if (kept.Count >= 2)
        {
            var steps = new double[kept.Count - 1];
            for (int i = 1; i < kept.Count; i++)
            {
                steps[i - 1] = kept[i].PositionMm!.Value - kept[i - 1].PositionMm!.Value;
            }

            spacing = SortedSeries.Median(steps);
            for (int i = 0; i < steps.Length; i++)
            {
                if (steps[i] > options.GapFactor * spacing!.Value)
                {
                    double below = kept[i].PositionMm!.Value;
                    double above = kept[i + 1].PositionMm!.Value;
                    int missing = (int)Math.Round(steps[i] / spacing.Value) - 1;
                    problems.Add(new SeriesProblem(
                        SeriesProblemKind.Gap,
                        Format($"gap of {steps[i]:0.###} mm between z = {below:0.###} mm ({kept[i].Instance.Source.Name}) and z = {above:0.###} mm ({kept[i + 1].Instance.Source.Name}), median spacing {spacing:0.###} mm: about {missing} slice(s) missing"),
                        [kept[i].Instance.Source.Location, kept[i + 1].Instance.Source.Location]));
                }
            }
        }

        double? tilt = null;
        if (kept.Count >= 2)
        {
            var stack = kept[^1].Instance.ImagePositionPatientMm!.Value - kept[0].Instance.ImagePositionPatientMm!.Value;
            if (stack.Length > options.DuplicatePositionToleranceMm)
            {
                tilt = stack.LineAngleDegreesTo(normal);
                if (tilt > options.TiltThresholdDegrees)
                {
                    problems.Add(new SeriesProblem(
                        SeriesProblemKind.GantryTilt,
                        Format($"slice positions step {tilt:0.#}° off the slice normal (gantry tilt or sheared stack): a volume needs resampling"),
                        []));
                }
            }
        }

        return new SortedSeries(series, kept, SliceOrdering.Position, orientation, pixelSpacing, spacing, tilt, problems);
    }

    private static SortedSeries SortByInstanceNumber(
        DicomSeries series,
        List<InstanceHeader> instances,
        ImageOrientation? orientation,
        PixelSpacingMm? pixelSpacing,
        List<SeriesProblem> problems)
    {
        var ordered = instances
            .OrderBy(i => i.InstanceNumber ?? int.MaxValue)
            .ThenBy(i => i.Source.Name, StringComparer.Ordinal)
            .Select(i => new SortedSlice(i, null))
            .ToList();
        int withoutNumber = instances.Count(i => !i.InstanceNumber.HasValue);
        problems.Add(new SeriesProblem(
            SeriesProblemKind.SortedByInstanceNumber,
            "Image Position/Orientation (Patient) are missing, so slices were ordered by Instance Number; positions and spacing are unknown" +
            (withoutNumber > 0 ? $" ({withoutNumber} instances without Instance Number were put last, by file name)" : string.Empty),
            []));
        return new SortedSeries(series, ordered, SliceOrdering.InstanceNumber, orientation, pixelSpacing, null, null, problems);
    }

    /// <summary>The value most others are "the same" as, by clustering around the first value of each cluster.</summary>
    private static T? MostCommon<T>(IReadOnlyList<T> values, Func<T, T, bool> same)
    {
        var clusters = new List<(T Representative, int Count)>();
        foreach (var value in values)
        {
            int index = clusters.FindIndex(c => same(c.Representative, value));
            if (index >= 0)
            {
                clusters[index] = (clusters[index].Representative, clusters[index].Count + 1);
            }
            else
            {
                clusters.Add((value, 1));
            }
        }

        return clusters.Count == 0 ? default : clusters.MaxBy(c => c.Count).Representative;
    }

    private static string Names(IEnumerable<InstanceHeader> instances)
    {
        var names = instances.Select(i => i.Source.Name).ToList();
        return names.Count <= 5 ? string.Join(", ", names) : string.Join(", ", names.Take(5)) + $" and {names.Count - 5} more";
    }

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
