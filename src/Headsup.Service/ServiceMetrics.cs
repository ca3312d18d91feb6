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
        JobDuration = _meter.CreateHistogram<double>("headsup_job_duration", unit: "s", description: "Time a job ran, claim to commit");
        StudyLatency = _meter.CreateHistogram<double>("headsup_result_latency", unit: "s", description: "Last instance of a study to its committed result, stable wait included");
        DeliveriesFailed = _meter.CreateCounter<long>("headsup_deliveries_failed", description: "Result deliveries (STOW, webhook) that failed an attempt");
        _meter.CreateObservableGauge("headsup_queue_depth", queueDepth, description: "Jobs queued or waiting to retry");
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

    /// <summary>Delivery attempts that failed.</summary>
    public Counter<long> DeliveriesFailed { get; }

    /// <inheritdoc/>
    public void Dispose() => _meter.Dispose();
}
