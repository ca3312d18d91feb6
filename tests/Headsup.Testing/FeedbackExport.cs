using System.Globalization;
using System.Text;
using Headsup.Dicom;

namespace Headsup.Testing;

/// <summary>One study of a <see cref="FeedbackExport"/>.</summary>
/// <param name="StudyInstanceUid">The study.</param>
/// <param name="SeriesInstanceUid">Its (triaged) series.</param>
/// <param name="StudyAny">The reader's study label: the phantom's truth (1 when any slice bleeds).</param>
/// <param name="Files">Every slice, as written (relative to labels.csv).</param>
/// <param name="LabelledSlices">The slices given a slice label, with the label (any).</param>
public sealed record FeedbackExportStudy(string StudyInstanceUid, string SeriesInstanceUid, int StudyAny, IReadOnlyList<string> Files, IReadOnlyDictionary<string, int> LabelledSlices);

/// <summary>
/// Writes what <c>headsup feedback export</c> writes (docs/feedback-loop.md), from phantom runs, so the loop can be
/// tested without the service: <c>labels.csv</c> (header <see cref="Header"/>, one row per slice) and
/// <c>dicom/&lt;study uid&gt;/&lt;series uid&gt;/&lt;sop uid&gt;.dcm</c>. The study label is the phantom's truth; in a
/// positive study the first bleeding slice and the first slice without bleeding get a slice label (with subtypes), in a
/// negative study the middle slice gets 0; every other slice's any and subtypes are left empty.
/// </summary>
public static class FeedbackExport
{
    /// <summary>labels.csv's header, exactly as the export writes it.</summary>
    public const string Header = "file,any,epidural,intraparenchymal,intraventricular,subarachnoid,subdural,patient_id,study_id,series_id,source,study_any";

    /// <summary>The source written on every row.</summary>
    public const string Source = "site-feedback";

    /// <summary>
    /// Writes the export of the studies in <paramref name="phantomFolders"/> (each written by the phantom generator) into
    /// <paramref name="exportFolder"/>; with <paramref name="sliceLabels"/> false no slice gets a label (study labels only).
    /// </summary>
    public static IReadOnlyList<FeedbackExportStudy> Write(IEnumerable<string> phantomFolders, string exportFolder, bool sliceLabels = true)
    {
        ArgumentNullException.ThrowIfNull(phantomFolders);
        var csv = new StringBuilder(Header).Append('\n');
        var studies = new List<FeedbackExportStudy>();
        foreach (var phantom in phantomFolders)
        {
            var rows = File.ReadAllLines(Path.Combine(phantom, "labels.csv")).Skip(1).Select(l => l.Split(',')).ToList();
            foreach (var study in rows.GroupBy(r => r[2]))
            {
                var slices = study.ToList();
                int studyAny = slices.Any(r => r[4] == "1") ? 1 : 0;
                var labelled = new HashSet<int>();
                if (sliceLabels)
                {
                    if (studyAny == 1)
                    {
                        labelled.Add(slices.FindIndex(r => r[4] == "1"));
                        labelled.Add(slices.FindIndex(r => r[4] == "0"));
                        labelled.Remove(-1);
                    }
                    else
                    {
                        labelled.Add(slices.Count / 2);
                    }
                }

                var files = new List<string>();
                var labels = new Dictionary<string, int>(StringComparer.Ordinal);
                string seriesUid = slices[0][3];
                for (int i = 0; i < slices.Count; i++)
                {
                    var r = slices[i];
                    var source = Path.Combine(phantom, r[0]);
                    var sop = SopInstanceUid(source);
                    var file = $"dicom/{study.Key}/{seriesUid}/{sop}.dcm";
                    var target = Path.Combine(exportFolder, file);
                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    File.Copy(source, target);
                    files.Add(file);
                    string sliceColumns = ",,,,";
                    string any = string.Empty;
                    if (labelled.Contains(i))
                    {
                        any = r[4];
                        sliceColumns = string.Join(',', r[5..10]);
                        labels[file] = int.Parse(any, CultureInfo.InvariantCulture);
                    }

                    csv.Append(CultureInfo.InvariantCulture, $"{file},{any},{sliceColumns},{r[1]},{study.Key},{seriesUid},{Source},{studyAny}\n");
                }

                studies.Add(new FeedbackExportStudy(study.Key, seriesUid, studyAny, files, labels));
            }
        }

        Directory.CreateDirectory(exportFolder);
        File.WriteAllText(Path.Combine(exportFolder, "labels.csv"), csv.ToString());
        return studies;
    }

    private static string SopInstanceUid(string path) =>
        DicomFileReader.Open(path).Dataset.TryGetString(DicomTags.SOPInstanceUID, out var uid) && !string.IsNullOrWhiteSpace(uid)
            ? uid.Trim()
            : throw new InvalidDataException($"{path} has no SOP Instance UID");
}
