namespace Headsup.Evaluation.Reports;

/// <summary>What one evaluated row is: one slice, or one study (the bootstrap then resamples studies).</summary>
public enum EvaluationLevel
{
    /// <summary>One row per CT slice.</summary>
    Slice,

    /// <summary>One row per study.</summary>
    Study,
}
