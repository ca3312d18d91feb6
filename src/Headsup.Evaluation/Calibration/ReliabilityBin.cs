namespace Headsup.Evaluation.Calibration;

/// <summary>One equal-width probability bin of a reliability diagram.</summary>
/// <param name="Lower">Inclusive lower edge.</param>
/// <param name="Upper">Exclusive upper edge (inclusive for the last bin, which holds probability 1).</param>
/// <param name="Count">Rows whose predicted probability falls in the bin.</param>
/// <param name="MeanPredicted">Mean predicted probability (confidence) of those rows; NaN for an empty bin.</param>
/// <param name="ObservedFrequency">Fraction of those rows labelled 1; NaN for an empty bin.</param>
public sealed record ReliabilityBin(double Lower, double Upper, long Count, double MeanPredicted, double ObservedFrequency);
