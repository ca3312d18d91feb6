namespace Headsup.Inputs.Preprocessing;

/// <summary>The stage a preprocess run is in.</summary>
public enum PreprocessStage
{
    /// <summary>Reading the headers of the input's files.</summary>
    Scanning,

    /// <summary>Converting and writing images.</summary>
    Converting,
}

/// <summary>Progress of a preprocess run: files scanned of those found, then images done (written or failed) of all.</summary>
/// <param name="Stage">The stage.</param>
/// <param name="Done">Files scanned, or images done.</param>
/// <param name="Total">Files found, or images to convert.</param>
public readonly record struct PreprocessProgress(PreprocessStage Stage, int Done, int Total);
