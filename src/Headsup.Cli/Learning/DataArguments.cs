using Headsup.Datasets;

namespace Headsup.Cli.Learning;

/// <summary>Loads the <c>--data</c> sources of a learning command and reports their problems.</summary>
internal static class DataArguments
{
    /// <summary>Loads every source; problems are printed; a source that cannot be read at all is a usage error.</summary>
    public static Dataset Load(IReadOnlyList<string> sources, bool keepStudyLabelledRows = false, string? split = null, string? source = null)
    {
        if (sources.Count == 0)
        {
            throw new UsageException("give at least one --data source (a labels CSV, an RSNA stage_2_train.csv, a phantom folder or a manifest)");
        }

        Dataset dataset;
        try
        {
            dataset = DatasetLoader.LoadMany(sources, new DatasetLoadOptions { KeepStudyLabelledRows = keepStudyLabelledRows });
        }
        catch (DatasetException ex)
        {
            throw new UsageException(ex.Message);
        }

        if (split is not null || source is not null)
        {
            var kept = dataset.Samples.Where(s => (split is null || s.Split == split) && (source is null || s.Source == source)).ToList();
            if (kept.Count == 0)
            {
                var splits = string.Join(", ", dataset.Samples.Select(s => s.Split ?? "none").Distinct());
                var names = string.Join(", ", dataset.Samples.Select(s => s.Source).Distinct());
                throw new UsageException($"no rows left after --split {split ?? "(any)"} --source {source ?? "(any)"}; the data has splits {splits} and sources {names}");
            }

            dataset = new Dataset(kept, dataset.Problems, dataset.UnknownLabels, dataset.Origin) { StudyLabelOnlyRows = dataset.StudyLabelOnlyRows };
        }

        foreach (var problem in dataset.Problems.Take(20))
        {
            Console.Error.WriteLine($"  data problem: {problem}");
        }

        if (dataset.Problems.Count > 20)
        {
            Console.Error.WriteLine($"  … and {dataset.Problems.Count - 20} more data problems");
        }

        int positives = dataset.Samples.Count(s => s.AnyKnown && s.Any == 1);
        int studyOnly = dataset.Samples.Count(s => !s.AnyKnown);
        Console.Error.WriteLine($"· data: {dataset.Samples.Count} labelled samples ({positives} positive, {dataset.Samples.Count - positives - studyOnly} negative{(studyOnly > 0 ? $", {studyOnly} with a study label only" : "")}) from {sources.Count} source(s); {dataset.UnknownLabels} rows with unknown labels skipped; {dataset.Problems.Count} problems");
        if (dataset.NegativeFromStudyLabel > 0)
        {
            Console.Error.WriteLine($"· data: {dataset.NegativeFromStudyLabel} slices without a slice label are negatives because their study is labelled study_any 0 (a study without hemorrhage has no bleeding slice)");
        }

        if (dataset.StudyLabelOnlyRows > 0)
        {
            Console.Error.WriteLine($"· data: {dataset.StudyLabelOnlyRows} slices left out of slice-level use (counted among the unknown labels): their study is labelled study_any 1 but they have no slice label, so which of them bleed is not known");
        }

        return dataset;
    }
}
