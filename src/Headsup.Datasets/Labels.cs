namespace Headsup.Datasets;

/// <summary>Label names shared by every source.</summary>
public static class HemorrhageLabels
{
    /// <summary>The five subtypes in RSNA 2019 order; <see cref="LabeledSample.Subtypes"/> follows it.</summary>
    public static IReadOnlyList<string> Subtypes { get; } = ["epidural", "intraparenchymal", "intraventricular", "subarachnoid", "subdural"];

    /// <summary>The label for "any intracranial hemorrhage".</summary>
    public const string Any = "any";

    /// <summary>Index of a subtype name in <see cref="Subtypes"/>, or −1 (case-insensitive).</summary>
    public static int IndexOf(string name)
    {
        for (int i = 0; i < Subtypes.Count; i++)
        {
            if (string.Equals(Subtypes[i], name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>Split names used in manifests.</summary>
public static class SplitNames
{
    /// <summary>Training split.</summary>
    public const string Train = "train";

    /// <summary>Validation split.</summary>
    public const string Validation = "validation";

    /// <summary>Test split.</summary>
    public const string Test = "test";

    /// <summary>True for "train", "validation", "test".</summary>
    public static bool IsValid(string? split) => split is Train or Validation or Test;
}
