namespace Headsup.Evaluation.Intervals;

/// <summary>Bootstrap intervals for the ranking metrics and for the threshold metrics at each requested threshold.</summary>
/// <param name="Options">The settings used.</param>
/// <param name="Auc">ROC AUC.</param>
/// <param name="AveragePrecision">Average precision.</param>
/// <param name="Thresholds">One entry per requested threshold, in the order requested.</param>
public sealed record BootstrapResult(BootstrapOptions Options, ConfidenceInterval Auc, ConfidenceInterval AveragePrecision, IReadOnlyList<ThresholdIntervals> Thresholds);
