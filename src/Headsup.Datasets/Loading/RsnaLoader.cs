using Headsup.Inputs;
using System.Globalization;
using Headsup.Dicom;
using Headsup.Series.Sources;

namespace Headsup.Datasets.Loading;

/// <summary>
/// Loads the RSNA 2019 layout: <c>stage_2_train.csv</c> (<c>ID,Label</c>; rows <c>ID_&lt;hex&gt;_&lt;label&gt;,0|1</c>)
/// and a folder of <c>ID_&lt;hex&gt;.dcm</c>. The CSV is streamed; per image only its id and six labels (one byte each)
/// are kept.
/// </summary>
internal static class RsnaLoader
{
    private const sbyte Unknown = -1;
    private const sbyte Absent = -2;
    private const int LabelCount = 6;
    private const int AnyIndex = 5;

    public static bool IsRsnaCsv(string csvPath)
    {
        using var csv = CsvReader.Open(csvPath);
        var fields = new List<string>();
        return csv.TryReadRecord(fields) && fields.Count == 2 &&
            fields[0].Trim().Equals("ID", StringComparison.OrdinalIgnoreCase) &&
            fields[1].Trim().Equals("Label", StringComparison.OrdinalIgnoreCase);
    }

    public static Dataset Load(string csvPath, DatasetLoadOptions options, string defaultSource)
    {
        var root = Path.GetDirectoryName(csvPath)!;
        var problems = new ProblemList(options.MaxProblems);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var ids = new List<string>();
        var labels = new List<sbyte>();
        int duplicates = 0;
        using (var csv = CsvReader.Open(csvPath))
        {
            var fields = new List<string>();
            if (!csv.TryReadRecord(fields))
            {
                throw new DatasetException(csvPath, "the labels file is empty");
            }

            while (csv.TryReadRecord(fields))
            {
                if (fields.Count == 1 && fields[0].Length == 0)
                {
                    continue;
                }

                var id = fields[0].Trim();
                int cut = id.LastIndexOf('_');
                int slot = cut > 0 ? SlotOf(id.AsSpan(cut + 1)) : -1;
                if (fields.Count != 2 || slot < 0 || !id.StartsWith("ID_", StringComparison.Ordinal))
                {
                    problems.Add(Where(csvPath, csv), $"'{string.Join(',', fields)}' is not ID_<id>_<subtype>,<0|1>");
                    continue;
                }

                var text = fields[1].Trim();
                sbyte value;
                if (text.Length == 0)
                {
                    value = Unknown;
                }
                else if (LabelsCsvLoader.TryParseLabel(text, out var parsed))
                {
                    value = (sbyte)parsed;
                }
                else
                {
                    problems.Add(Where(csvPath, csv), $"label '{text}' of {id} is not 0 or 1");
                    continue;
                }

                var imageId = id[..cut];
                if (!index.TryGetValue(imageId, out var n))
                {
                    n = ids.Count;
                    index.Add(imageId, n);
                    ids.Add(imageId);
                    for (int k = 0; k < LabelCount; k++)
                    {
                        labels.Add(Absent);
                    }
                }

                int at = (n * LabelCount) + slot;
                var old = labels[at];
                if (old == Absent)
                {
                    labels[at] = value;
                }
                else if (old == value)
                {
                    duplicates++;
                }
                else
                {
                    problems.Add(Where(csvPath, csv), $"{id} is listed again with another label ({text} vs {old}); the first is kept");
                }
            }
        }

        index.Clear();
        index.TrimExcess();
        var folder = options.ImageFolder is { } given ? Path.GetFullPath(given) : DefaultFolder(root);
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Directory.Exists(folder))
        {
            // The shared walker follows symbolic links to folders (with loop protection) and reports what it skips.
            var listing = InputWalker.List(folder);
            foreach (var file in listing.Files.Where(f => Path.GetFileName(f.FullPath).StartsWith("ID_", StringComparison.Ordinal)))
            {
                files.TryAdd(Path.GetFileNameWithoutExtension(file.FullPath), file.FullPath);
            }

            foreach (var entry in listing.Skipped.Concat(listing.Failures))
            {
                problems.Add(entry.Source, entry.Reason);
            }
        }
        else
        {
            problems.Add(folder, "image folder not found");
        }

        int unknown = 0;
        int missing = 0;
        var present = new List<int>();
        for (int n = 0; n < ids.Count; n++)
        {
            var any = labels[(n * LabelCount) + AnyIndex];
            if (any < 0)
            {
                unknown++;
                continue;
            }

            if (!files.ContainsKey(ids[n]))
            {
                missing++;
                problems.Add(Path.Combine(folder, ids[n] + ".dcm"), "labelled in " + Path.GetFileName(csvPath) + " but the file is missing");
                continue;
            }

            present.Add(n);
        }

        var samples = new LabeledSample?[present.Count];
        Parallel.For(0, present.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MaxParallelism) }, j =>
        {
            int n = present[j];
            var file = files[ids[n]];
            var subtypes = new int?[HemorrhageLabels.Subtypes.Count];
            for (int k = 0; k < subtypes.Length; k++)
            {
                var v = labels[(n * LabelCount) + k];
                subtypes[k] = v >= 0 ? v : null;
            }

            var relative = LabelsCsvLoader.Relative(root, file);
            var sample = new LabeledSample
            {
                File = file,
                RelativeFile = relative,
                Format = ImageFormat.Dicom,
                Any = labels[(n * LabelCount) + AnyIndex],
                Subtypes = subtypes,
                PatientId = LabeledSample.RowPatientId(relative),
                Source = defaultSource,
            };
            if (options.ReadDicomHeaders)
            {
                try
                {
                    var header = DicomHeaderInfo.Read(file);
                    sample = sample with
                    {
                        PatientId = header.PatientId ?? sample.PatientId,
                        StudyId = header.StudyInstanceUid,
                        SeriesId = header.SeriesInstanceUid,
                        SopInstanceUid = header.SopInstanceUid,
                        Z = header.Z,
                        InstanceNumber = header.InstanceNumber,
                    };
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or DicomException)
                {
                    problems.Add(file, "DICOM header cannot be read: " + ex.Message);
                    return;
                }
            }

            samples[j] = sample;
        });

        return new Dataset(samples.OfType<LabeledSample>().ToArray(), problems.Finish(csvPath), unknown, csvPath)
        {
            DuplicateRows = duplicates,
            MissingFiles = missing,
        };
    }

    private static string Where(string csvPath, CsvReader csv) => string.Create(CultureInfo.InvariantCulture, $"{csvPath} line {csv.RecordLine}");

    private static string DefaultFolder(string root)
    {
        foreach (var name in new[] { "stage_2_train", "stage_2_train_images", "dicom" })
        {
            var candidate = Path.Combine(root, name);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return root;
    }

    /// <summary>0..4 for the subtypes in RSNA order, 5 for "any", −1 otherwise.</summary>
    private static int SlotOf(ReadOnlySpan<char> name)
    {
        if (name.Equals(HemorrhageLabels.Any, StringComparison.OrdinalIgnoreCase))
        {
            return AnyIndex;
        }

        for (int k = 0; k < HemorrhageLabels.Subtypes.Count; k++)
        {
            if (name.Equals(HemorrhageLabels.Subtypes[k], StringComparison.OrdinalIgnoreCase))
            {
                return k;
            }
        }

        return -1;
    }
}
