using Headsup.Core.IO;
using Headsup.Dicom.Writing;
using System.Text;
using Headsup.Phantom.Lesions;

namespace Headsup.Phantom.Output;

/// <summary>
/// Writes the slice labels: <c>stage_2_train.csv</c> in the RSNA 2019 format (header <c>ID,Label</c>; for each image six
/// rows <c>ID_&lt;id&gt;_&lt;subtype&gt;,0|1</c> in the order epidural, intraparenchymal, intraventricular, subarachnoid,
/// subdural, any) and <c>labels.csv</c> (one row per file with patient, study and series and the six labels).
/// </summary>
public static class LabelTableWriter
{
    /// <summary>Header of labels.csv.</summary>
    public const string LabelsHeader = "file,patient_id,study_id,series_id,any,epidural,intraparenchymal,intraventricular,subarachnoid,subdural";

    /// <summary>Header of stage_2_train.csv.</summary>
    public const string RsnaHeader = "ID,Label";

    /// <summary>Writes stage_2_train.csv. <paramref name="rows"/> gives each file's base name ("ID_…") and positive subtypes.</summary>
    public static void WriteRsna(string path, IEnumerable<(string FileId, IReadOnlySet<HemorrhageSubtype> Positive)> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var text = new StringBuilder();
        text.Append(RsnaHeader).Append('\n');
        foreach (var (fileId, positive) in rows)
        {
            foreach (var subtype in HemorrhageSubtypes.All)
            {
                text.Append(fileId).Append('_').Append(subtype.RsnaName()).Append(',').Append(positive.Contains(subtype) ? '1' : '0').Append('\n');
            }

            text.Append(fileId).Append("_any,").Append(positive.Count > 0 ? '1' : '0').Append('\n');
        }

        WriteText(path, text);
    }

    /// <summary>Writes labels.csv; file paths are relative to the CSV and use '/'.</summary>
    public static void WriteLabels(string path, IEnumerable<(string File, string PatientId, string StudyUid, string SeriesUid, IReadOnlySet<HemorrhageSubtype> Positive)> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var text = new StringBuilder();
        text.Append(LabelsHeader).Append('\n');
        foreach (var (file, patient, study, series, positive) in rows)
        {
            text.Append(file).Append(',').Append(patient).Append(',').Append(study).Append(',').Append(series).Append(',')
                .Append(positive.Count > 0 ? '1' : '0');
            foreach (var subtype in HemorrhageSubtypes.All)
            {
                text.Append(',').Append(positive.Contains(subtype) ? '1' : '0');
            }

            text.Append('\n');
        }

        WriteText(path, text);
    }

    private static void WriteText(string path, StringBuilder text)
    {
        var bytes = Encoding.ASCII.GetBytes(text.ToString());
        AtomicFile.Write(path, s => s.Write(bytes));
    }
}
