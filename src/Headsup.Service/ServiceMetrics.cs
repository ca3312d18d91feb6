using System.Diagnostics.Metrics;

namespace Headsup.Service;

/// <summary>The service's metrics (meter "Headsup.Service", exported for Prometheus at /metrics).</summary>
public sealed class ServiceMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Headsup.Service";

    private readonly Meter _meter;

    /// <summary>Creates the instruments; <paramref name="queueDepth"/> is observed on each scrape.</summary>
    public ServiceMetrics(Func<long> queueDepth)
    {
        _meter = new Meter(MeterName);
        InstancesReceived = _meter.CreateCounter<long>("headsup_instances_received", description: "DICOM instances stored by intake");
        InstancesRejected = _meter.CreateCounter<long>("headsup_instances_rejected", description: "Parts or entries refused by intake, by reason");
        JobsCompleted = _meter.CreateCounter<long>("headsup_jobs_completed", description: "Jobs finished, by outcome (done, failed, retry)");
        // Bucket limits in seconds (the default ones suit milliseconds).
        var seconds = new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 30, 45, 60, 120, 300, 600] };
        JobDuration = _meter.CreateHistogram("headsup_job_duration", unit: "s", description: "Time a job ran, claim to commit", tags: null, advice: seconds);
        StudyLatency = _meter.CreateHistogram("headsup_result_latency", unit: "s", description: "Last instance of a study to its committed result, stable wait included", tags: null, advice: seconds);
        DeliveriesFailed = _meter.CreateCounter<long>("headsup_deliveries_failed", description: "Result deliveries (STOW, webhook) that failed an attempt");
        OverlayPasses = _meter.CreateCounter<long>("headsup_overlay_passes", description: "Second overlay passes (XRAI for the study page) finished, by outcome (done, failed)");
        _meter.CreateObservableGauge("headsup_queue_depth", queueDepth, description: "Jobs queued or waiting to retry");
    }

    /// <summary>Records zero on each counter, so they appear on the first scrape (call once the exporter listens).</summary>
    public void Touch()
    {
        InstancesReceived.Add(0);
        JobsCompleted.Add(0, new KeyValuePair<string, object?>("outcome", "done"));
        DeliveriesFailed.Add(0);
    }

    /// <summary>Instances stored.</summary>
    public Counter<long> InstancesReceived { get; }

    /// <summary>Parts refused.</summary>
    public Counter<long> InstancesRejected { get; }

    /// <summary>Jobs finished.</summary>
    public Counter<long> JobsCompleted { get; }

    /// <summary>Job run time.</summary>
    public Histogram<double> JobDuration { get; }

    /// <summary>Last instance → result.</summary>
    public Histogram<double> StudyLatency { get; }

    /// <summary>Second overlay passes finished.</summary>
    public Counter<long> OverlayPasses { get; }

    /// <summary>Delivery attempts that failed.</summary>
    public Counter<long> DeliveriesFailed { get; }

    /// <inheritdoc/>
    public void Dispose() => _meter.Dispose();
}
