using Headsup.Inputs;
using System.Globalization;
using Headsup.Dicom;

namespace Headsup.Datasets.Loading;

/// <summary>
/// Loads a labels CSV with a header: a file column (<c>file</c>, <c>image</c>, <c>path</c>, <c>filename</c> or <c>id</c>,
/// relative to the CSV), a label column (<c>any</c> or <c>hemorrhage</c>), optional subtype columns and
/// <c>patient_id</c>, <c>study_id</c>, <c>series_id</c>, <c>source</c>, <c>mask</c>.
/// </summary>
internal static class LabelsCsvLoader
{
    private static readonly string[] s_fileColumns = ["file", "image", "path", "filename", "id"];
    private static readonly string[] s_imageExtensions = [".png", ".jpg", ".jpeg", ".dcm"];

    public static Dataset Load(string csvPath, DatasetLoadOptions options, string defaultSource)
    {
        var root = Path.GetDirectoryName(csvPath)!;
        var problems = new ProblemList(options.MaxProblems);
        var rows = new List<Row>();
        int unknown = 0;
        int duplicates = 0;
        int missing = 0;
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        using (var csv = CsvReader.Open(csvPath))
        {
            var fields = new List<string>();
            if (!csv.TryReadRecord(fields))
            {
                throw new DatasetException(csvPath, "the labels file is empty");
            }

            var header = fields.Select(f => f.Trim().ToLowerInvariant()).ToArray();
            int Column(params string[] names)
            {
                foreach (var name in names)
                {
                    int i = Array.IndexOf(header, name);
                    if (i >= 0)
                    {
                        return i;
                    }
                }

                return -1;
            }

            int fileColumn = Column(s_fileColumns);
            int anyColumn = Column("any", "hemorrhage");
            if (fileColumn < 0 || anyColumn < 0)
            {
                throw new DatasetException(csvPath, $"the header ({string.Join(',', header)}) needs a file column (file or image) and a label column (any or hemorrhage)");
            }

            var subtypeColumns = HemorrhageLabels.Subtypes.Select(s => Column(s)).ToArray();
            int patientColumn = Column("patient_id", "patient");
            int studyColumn = Column("study_id", "study");
            int seriesColumn = Column("series_id", "series");
            int sourceColumn = Column("source");
            int maskColumn = Column("mask", "mask_file");
            int studyAnyColumn = Column("study_any");
            string? Field(int column) => column >= 0 && column < fields.Count && fields[column].Trim().Length > 0 ? fields[column].Trim() : null;

            while (csv.TryReadRecord(fields))
            {
                if (fields.All(f => f.Trim().Length == 0))
                {
                    continue;
                }

                string where = string.Create(CultureInfo.InvariantCulture, $"{csvPath} line {csv.RecordLine}");
                var name = Field(fileColumn);
                if (name is null)
                {
                    problems.Add(where, "no file name");
                    continue;
                }

                var anyText = Field(anyColumn);
                int? studyAny = null;
                if (Field(studyAnyColumn) is { } studyText)
                {
                    if (TryParseLabel(studyText, out var sa))
                    {
                        studyAny = sa;
                    }
                    else
                    {
                        problems.Add(where, $"study_any label '{studyText}' for {name} is not 0 or 1");
                        continue;
                    }
                }

                bool anyKnown = anyText is not null;
                if (anyText is null && !(options.KeepStudyLabelledRows && studyAny is not null))
                {
                    unknown++;
                    continue;
                }

                int any = 0;
                if (anyText is not null && !TryParseLabel(anyText, out any))
                {
                    problems.Add(where, $"label '{anyText}' for {name} is not 0 or 1");
                    continue;
                }

                var subtypes = new int?[HemorrhageLabels.Subtypes.Count];
                bool bad = false;
                for (int k = 0; k < subtypes.Length; k++)
                {
                    var text = Field(subtypeColumns[k]);
                    if (text is null)
                    {
                        continue;
                    }

                    if (TryParseLabel(text, out var v))
                    {
                        subtypes[k] = v;
                    }
                    else
                    {
                        problems.Add(where, $"{HemorrhageLabels.Subtypes[k]} label '{text}' for {name} is not 0 or 1");
                        bad = true;
                    }
                }

                if (bad)
                {
                    continue;
                }

                var file = Resolve(root, name);
                if (file is null)
                {
                    missing++;
                    problems.Add(Path.GetFullPath(Path.Combine(root, name)), $"file named on {where} is missing");
                    continue;
                }

                var labels = string.Join(',', subtypes.Select(s => s?.ToString(CultureInfo.InvariantCulture) ?? "")) + ";" + any.ToString(CultureInfo.InvariantCulture);
                if (seen.TryGetValue(file, out var previous))
                {
                    if (rows[previous].LabelKey == labels)
                    {
                        duplicates++;
                    }
                    else
                    {
                        problems.Add(where, $"{name} is listed again with other labels ({labels} vs {rows[previous].LabelKey}); the first row is kept");
                    }

                    continue;
                }

                seen[file] = rows.Count;
                var mask = Field(maskColumn) is { } m ? Path.GetFullPath(Path.Combine(root, m)) : null;
                mask ??= DefaultMask(root, file);
                rows.Add(new Row(file, Relative(root, file, name), any, anyKnown, studyAny, subtypes, Field(patientColumn), Field(studyColumn), Field(seriesColumn), Field(sourceColumn) ?? defaultSource, mask, labels));
            }
        }

        var samples = new LabeledSample?[rows.Count];
        Parallel.For(0, rows.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MaxParallelism) }, i =>
        {
            var row = rows[i];
            try
            {
                samples[i] = Build(row, options);
                if (samples[i] is null)
                {
                    problems.Add(row.File, "not a DICOM, PNG or JPEG file");
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or DicomException)
            {
                problems.Add(row.File, "cannot be read: " + ex.Message);
            }
        });

        return new Dataset(samples.OfType<LabeledSample>().ToArray(), problems.Finish(csvPath), unknown, csvPath)
        {
            DuplicateRows = duplicates,
            MissingFiles = missing,
        };
    }

    private static LabeledSample? Build(Row row, DatasetLoadOptions options)
    {
        var format = FormatDetector.Detect(row.File);
        if (format is null)
        {
            return null;
        }

        var sample = new LabeledSample
        {
            File = row.File,
            RelativeFile = row.Relative,
            Format = format.Value,
            Any = row.Any,
            AnyKnown = row.AnyKnown,
            StudyAny = row.StudyAny,
            Subtypes = row.Subtypes,
            PatientId = row.PatientId ?? LabeledSample.RowPatientId(row.Relative),
            StudyId = row.StudyId,
            SeriesId = row.SeriesId,
            Source = row.Source,
            MaskFile = row.Mask,
        };
        if (format == ImageFormat.Dicom && options.ReadDicomHeaders)
        {
            var header = DicomHeaderInfo.Read(row.File);
            sample = sample with
            {
                PatientId = row.PatientId ?? header.PatientId ?? sample.PatientId,
                StudyId = row.StudyId ?? header.StudyInstanceUid,
                SeriesId = row.SeriesId ?? header.SeriesInstanceUid,
                SopInstanceUid = header.SopInstanceUid,
                Z = header.Z,
                InstanceNumber = header.InstanceNumber,
            };
        }

        return sample;
    }

    /// <summary>Parses 0/1 (also 0.0/1.0, true/false).</summary>
    public static bool TryParseLabel(string text, out int value)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "0" or "0.0" or "false":
                value = 0;
                return true;
            case "1" or "1.0" or "true":
                value = 1;
                return true;
            default:
                value = -1;
                return false;
        }
    }

    /// <summary>The file a row names: the path itself, or for a bare id (Kaggle style) images/&lt;id&gt;.png, &lt;id&gt;.png, …</summary>
    private static string? Resolve(string root, string name)
    {
        var direct = Path.GetFullPath(Path.Combine(root, name));
        if (File.Exists(direct))
        {
            return direct;
        }

        if (Path.HasExtension(name))
        {
            return null;
        }

        var stems = new List<string> { name };
        if (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            stems.Add(number.ToString("000", CultureInfo.InvariantCulture));
        }

        foreach (var stem in stems)
        {
            foreach (var folder in new[] { "images", "", "head_ct" })
            {
                foreach (var extension in s_imageExtensions)
                {
                    var candidate = Path.GetFullPath(Path.Combine(root, folder, stem + extension));
                    if (File.Exists(candidate))
                    {
                        return candidate;
                    }
                }
            }
        }

        return null;
    }

    private static string? DefaultMask(string root, string file)
    {
        var candidate = Path.Combine(root, "masks", Path.GetFileNameWithoutExtension(file) + ".png");
        return File.Exists(candidate) ? candidate : null;
    }

    internal static string Relative(string root, string file, string? fallback = null)
    {
        var relative = Path.GetRelativePath(root, file);
        if (relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative))
        {
            return fallback ?? file;
        }

        return relative.Replace('\\', '/');
    }

    private sealed record Row(string File, string Relative, int Any, bool AnyKnown, int? StudyAny, int?[] Subtypes, string? PatientId, string? StudyId, string? SeriesId, string Source, string? Mask, string LabelKey);
}
