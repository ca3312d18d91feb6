using Headsup.Inputs;
using System.Globalization;
using Headsup.Dicom;

namespace Headsup.Datasets.Loading;

/// <summary>
/// Loads a labels CSV with a header: a file column (<c>file</c>, <c>image</c>, <c>path</c>, <c>filename</c> or <c>id</c>,
/// relative to the CSV), a label column (<c>any</c> or <c>hemorrhage</c>, and/or <c>study_any</c>), optional subtype
/// columns and <c>patient_id</c>, <c>study_id</c>, <c>series_id</c>, <c>source</c>, <c>mask</c>.
/// <para>
/// Labels are 0/1; blank = not given. <c>study_any</c> is the study's label on every row of the study (the reader
/// feedback export, docs/feedback-loop.md). A row with a blank <c>any</c> is a negative slice when its study is labelled
/// <c>study_any</c> 0 (<see cref="LabeledSample.AnyFromStudyLabel"/>); in a study labelled 1 it has no slice label and is
/// skipped and counted (<see cref="Dataset.StudyLabelOnlyRows"/>), or kept for its study label with
/// <see cref="DatasetLoadOptions.KeepStudyLabelledRows"/>; without <c>study_any</c> it is unknown, skipped and counted.
/// </para>
/// <para>
/// A malformed row (not as many fields as the header, no file name, a label that is not 0/1, labels that contradict each
/// other or their study) is a <see cref="DatasetProblem"/> naming the CSV and the row's line, of a
/// <see cref="DatasetProblemKind"/>; the other rows still load.
/// </para>
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
        int studyOnly = 0;
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
            int studyAnyColumn = Column("study_any");
            if (fileColumn < 0 || (anyColumn < 0 && studyAnyColumn < 0))
            {
                throw new DatasetException(csvPath, $"the header ({string.Join(',', header)}) needs a file column (file or image) and a label column (any, hemorrhage or study_any)");
            }

            var subtypeColumns = HemorrhageLabels.Subtypes.Select(s => Column(s)).ToArray();
            int patientColumn = Column("patient_id", "patient");
            int studyColumn = Column("study_id", "study");
            int seriesColumn = Column("series_id", "series");
            int sourceColumn = Column("source");
            int maskColumn = Column("mask", "mask_file");
            string? Field(int column) => column >= 0 && column < fields.Count && fields[column].Trim().Length > 0 ? fields[column].Trim() : null;

            var studyLabels = new Dictionary<string, (int Label, long Line)>(StringComparer.Ordinal);
            while (csv.TryReadRecord(fields))
            {
                if (fields.All(f => f.Trim().Length == 0))
                {
                    continue;
                }

                long line = csv.RecordLine;
                void Problem(DatasetProblemKind kind, string message) => problems.Add(new DatasetProblem(csvPath, message) { Line = line, Kind = kind });
                if (fields.Count != header.Length)
                {
                    Problem(DatasetProblemKind.MalformedRow, string.Create(CultureInfo.InvariantCulture, $"the row has {fields.Count} fields but the header has {header.Length}"));
                    continue;
                }

                var name = Field(fileColumn);
                if (name is null)
                {
                    Problem(DatasetProblemKind.MalformedRow, "no file name");
                    continue;
                }

                if (!TryReadLabels(name, Field, anyColumn, studyAnyColumn, subtypeColumns, out var any, out var studyAny, out var subtypes, out var invalid))
                {
                    Problem(DatasetProblemKind.InvalidLabel, invalid!);
                    continue;
                }

                if (Contradiction(name, any, studyAny, subtypes) is { } contradiction)
                {
                    Problem(DatasetProblemKind.InconsistentLabels, contradiction);
                    continue;
                }

                if (studyAny is int label && Field(studyColumn) is { } studyKey)
                {
                    if (!studyLabels.TryAdd(studyKey, (label, line)) && studyLabels[studyKey].Label != label)
                    {
                        var first = studyLabels[studyKey];
                        Problem(DatasetProblemKind.InconsistentLabels, string.Create(CultureInfo.InvariantCulture, $"study_any {label} for {name} differs from study_any {first.Label} on line {first.Line} of the same study {studyKey}"));
                        continue;
                    }
                }

                bool anyKnown = any is not null;
                bool fromStudy = false;
                if (any is null)
                {
                    if (studyAny == 0)
                    {
                        // A study without hemorrhage has no bleeding slice: its unlabelled slices are negatives.
                        any = 0;
                        anyKnown = true;
                        fromStudy = true;
                        subtypes = subtypes.Select(v => (int?)(v ?? 0)).ToArray();
                    }
                    else if (studyAny == 1 && options.KeepStudyLabelledRows)
                    {
                        any = 0; // placeholder: AnyKnown is false
                    }
                    else
                    {
                        unknown++;
                        if (studyAny == 1)
                        {
                            studyOnly++;
                        }

                        continue;
                    }
                }

                var file = Resolve(root, name);
                if (file is null)
                {
                    missing++;
                    problems.Add(new DatasetProblem(Path.GetFullPath(Path.Combine(root, name)), string.Create(CultureInfo.InvariantCulture, $"file named on {csvPath} line {line} is missing")) { Kind = DatasetProblemKind.MissingFile });
                    continue;
                }

                var labels = string.Join(',', subtypes.Select(v => v?.ToString(CultureInfo.InvariantCulture) ?? "")) + ";" + any.Value.ToString(CultureInfo.InvariantCulture);
                if (seen.TryGetValue(file, out var previous))
                {
                    if (rows[previous].LabelKey == labels)
                    {
                        duplicates++;
                    }
                    else
                    {
                        Problem(DatasetProblemKind.ConflictingDuplicate, $"{name} is listed again with other labels ({labels} vs {rows[previous].LabelKey}); the first row is kept");
                    }

                    continue;
                }

                seen[file] = rows.Count;
                var mask = Field(maskColumn) is { } m ? Path.GetFullPath(Path.Combine(root, m)) : null;
                mask ??= DefaultMask(root, file);
                rows.Add(new Row(file, Relative(root, file, name), any.Value, anyKnown, fromStudy, studyAny, subtypes, Field(patientColumn), Field(studyColumn), Field(seriesColumn), Field(sourceColumn) ?? defaultSource, mask, labels));
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
                    problems.Add(new DatasetProblem(row.File, "not a DICOM, PNG or JPEG file") { Kind = DatasetProblemKind.UnreadableFile });
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or DicomException)
            {
                problems.Add(new DatasetProblem(row.File, "cannot be read: " + ex.Message) { Kind = DatasetProblemKind.UnreadableFile });
            }
        });

        return new Dataset(samples.OfType<LabeledSample>().ToArray(), problems.Finish(csvPath), unknown, csvPath)
        {
            DuplicateRows = duplicates,
            MissingFiles = missing,
            StudyLabelOnlyRows = studyOnly,
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
            AnyFromStudyLabel = row.AnyFromStudyLabel,
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

    /// <summary>Reads a row's any, study_any and subtype labels (blank = null); false with the reason when one is not 0 or 1.</summary>
    private static bool TryReadLabels(string name, Func<int, string?> field, int anyColumn, int studyAnyColumn, int[] subtypeColumns, out int? any, out int? studyAny, out int?[] subtypes, out string? invalid)
    {
        any = null;
        studyAny = null;
        subtypes = new int?[subtypeColumns.Length];
        invalid = null;
        if (field(studyAnyColumn) is { } studyText)
        {
            if (!TryParseLabel(studyText, out var value))
            {
                invalid = $"study_any label '{studyText}' for {name} is not 0 or 1";
                return false;
            }

            studyAny = value;
        }

        if (field(anyColumn) is { } anyText)
        {
            if (!TryParseLabel(anyText, out var value))
            {
                invalid = $"label '{anyText}' for {name} is not 0 or 1";
                return false;
            }

            any = value;
        }

        for (int k = 0; k < subtypes.Length; k++)
        {
            if (field(subtypeColumns[k]) is not { } text)
            {
                continue;
            }

            if (!TryParseLabel(text, out var value))
            {
                invalid = $"{HemorrhageLabels.Subtypes[k]} label '{text}' for {name} is not 0 or 1";
                return false;
            }

            subtypes[k] = value;
        }

        return true;
    }

    /// <summary>Why a row's labels contradict each other, or null: a subtype with any 0, or a bleed in a study labelled none.</summary>
    private static string? Contradiction(string name, int? any, int? studyAny, int?[] subtypes)
    {
        int positiveSubtype = Array.IndexOf(subtypes, 1);
        if (any == 0 && positiveSubtype >= 0)
        {
            return $"{name} has {HemorrhageLabels.Subtypes[positiveSubtype]} 1 but any 0";
        }

        if (studyAny == 0 && (any == 1 || positiveSubtype >= 0))
        {
            return $"{name} is labelled hemorrhage but its study is labelled study_any 0 (a study without hemorrhage has no bleeding slice)";
        }

        return null;
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

    private sealed record Row(string File, string Relative, int Any, bool AnyKnown, bool AnyFromStudyLabel, int? StudyAny, int?[] Subtypes, string? PatientId, string? StudyId, string? SeriesId, string Source, string? Mask, string LabelKey);
}
