using Headsup.Datasets.Loading;

namespace Headsup.Datasets;

/// <summary>
/// Loads labelled samples from a path, detecting the layout:
/// <list type="bullet">
/// <item>a <c>.json</c> file: a <see cref="DatasetManifest"/>;</item>
/// <item>a CSV whose header is <c>ID,Label</c>: the RSNA 2019 layout (stage_2_train.csv + a folder of ID_*.dcm);</item>
/// <item>any other CSV: a labels CSV (file/image column, any/hemorrhage column, optional subtypes and ids);</item>
/// <item>a folder: a phantom output (labels.csv + dicom/), else its labels.csv, stage_2_train.csv or manifest.json.</item>
/// </list>
/// </summary>
public static class DatasetLoader
{
    /// <summary>Loads one source.</summary>
    /// <exception cref="DatasetException">The path does not exist, or its layout is not recognised, or the labels file has no usable header.</exception>
    public static Dataset Load(string path, DatasetLoadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options ??= new DatasetLoadOptions();
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            return LoadFolder(full, options);
        }

        if (!File.Exists(full))
        {
            throw new DatasetException(full, "no such file or folder");
        }

        if (full.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            return DatasetManifest.Load(full).ToDataset(full);
        }

        return LoadCsv(full, options, IsPhantomFolder(Path.GetDirectoryName(full)!));
    }

    /// <summary>Loads several sources and concatenates them (each sample keeps its <see cref="LabeledSample.Source"/>).</summary>
    public static Dataset LoadMany(IEnumerable<string> paths, DatasetLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var parts = paths.Select(p => Load(p, options)).ToArray();
        if (parts.Length == 0)
        {
            throw new DatasetException("no dataset paths given");
        }

        return new Dataset(
            parts.SelectMany(p => p.Samples).ToArray(),
            parts.SelectMany(p => p.Problems).ToArray(),
            parts.Sum(p => p.UnknownLabels),
            string.Join(";", parts.Select(p => p.Origin)))
        {
            DuplicateRows = parts.Sum(p => p.DuplicateRows),
            MissingFiles = parts.Sum(p => p.MissingFiles),
            StudyLabelOnlyRows = parts.Sum(p => p.StudyLabelOnlyRows),
        };
    }

    private static Dataset LoadFolder(string folder, DatasetLoadOptions options)
    {
        var labels = Path.Combine(folder, "labels.csv");
        if (File.Exists(labels))
        {
            return LoadCsv(labels, options, IsPhantomFolder(folder));
        }

        var rsna = Path.Combine(folder, "stage_2_train.csv");
        if (File.Exists(rsna))
        {
            return LoadCsv(rsna, options, phantom: false);
        }

        var manifest = Path.Combine(folder, "manifest.json");
        if (File.Exists(manifest))
        {
            return DatasetManifest.Load(manifest).ToDataset(manifest);
        }

        throw new DatasetException(folder, "no labels.csv, stage_2_train.csv or manifest.json in this folder");
    }

    private static Dataset LoadCsv(string csv, DatasetLoadOptions options, bool phantom)
    {
        if (RsnaLoader.IsRsnaCsv(csv))
        {
            return RsnaLoader.Load(csv, options, options.Source ?? (phantom ? "phantom" : "rsna"));
        }

        var folderName = Path.GetFileName(Path.GetDirectoryName(csv)!);
        return LabelsCsvLoader.Load(csv, options, options.Source ?? (phantom ? "phantom" : folderName));
    }

    /// <summary>True for a folder written by the phantom generator (labels.csv, stage_2_train.csv and dicom/).</summary>
    public static bool IsPhantomFolder(string folder) =>
        File.Exists(Path.Combine(folder, "labels.csv")) && File.Exists(Path.Combine(folder, "stage_2_train.csv")) &&
        Directory.Exists(Path.Combine(folder, "dicom"));
}
