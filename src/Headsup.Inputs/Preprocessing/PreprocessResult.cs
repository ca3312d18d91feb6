namespace Headsup.Inputs.Preprocessing;

/// <summary>An input that could not be converted, and why.</summary>
/// <param name="Source">The file, or <c>archive.zip!entry</c>.</param>
/// <param name="Reason">Why (the reader's or converter's message).</param>
public sealed record PreprocessFailure(string Source, string Reason);

/// <summary>What a preprocess run did.</summary>
public sealed record PreprocessResult
{
    /// <summary>Sources read by the scan (files and archive entries).</summary>
    public required int SourcesScanned { get; init; }

    /// <summary>CT-candidate instances found (one per file; a multi-frame file counts once).</summary>
    public required int Images { get; init; }

    /// <summary>Output files written (one per frame).</summary>
    public required int Written { get; init; }

    /// <summary>Inputs that failed, in ordinal order of source then reason; the rest were converted.</summary>
    public required IReadOnlyList<PreprocessFailure> Failures { get; init; }

    /// <summary>Time spent scanning headers and grouping.</summary>
    public TimeSpan ScanTime { get; init; }

    /// <summary>Time spent converting and writing.</summary>
    public TimeSpan ConvertTime { get; init; }

    /// <summary>True when some input failed.</summary>
    public bool HasFailures => Failures.Count > 0;
}
