using Microsoft.Extensions.Logging;

namespace OrleansPathology.Grains.Workers;

public sealed partial class InferenceWorkerGrain
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Worker {Worker} started: up to {Concurrency} batches in flight")]
    private partial void LogStarted(string worker, int concurrency);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Worker {Worker} draining: stopped pulling, waiting for {InFlight} batch(es)")]
    private partial void LogDraining(string worker, int inFlight);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Debug, Message = "Worker {Worker}: {Slide} batch {Batch} done, {Cells} cells (read {ReadSeconds:0.000} s, compute {ComputeSeconds:0.000} s)")]
    private partial void LogBatchDone(string worker, string slide, int batch, int cells, double readSeconds, double computeSeconds);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Warning, Message = "Worker {Worker}: {Slide} batch {Batch} failed")]
    private partial void LogBatchFailed(Exception exception, string worker, string slide, int batch);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "Worker {Worker}: could not report {Slide} batch {Batch}; its lease will run out and it is leased again")]
    private partial void LogReportFailed(Exception exception, string worker, string slide, int batch);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Warning, Message = "Worker {Worker}: asking the slides for work failed; asking again after its wait")]
    private partial void LogPullFailed(Exception exception, string worker);

    [LoggerMessage(EventId = 4007, Level = LogLevel.Warning, Message = "Worker {Worker} deactivated while started or busy ({InFlight} in flight): {Reason}")]
    private partial void LogDeactivatedWhileBusy(string worker, int inFlight, string reason);

    [LoggerMessage(EventId = 4008, Level = LogLevel.Information, Message = "Worker {Worker} started again after its deactivation")]
    private partial void LogStartedAgain(string worker);

    [LoggerMessage(EventId = 4009, Level = LogLevel.Warning, Message = "Worker {Worker} could not be started again after its deactivation; its silo's watch will")]
    private partial void LogStartAgainFailed(Exception exception, string worker);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Warning, Message = "Worker {Worker}: the slide refused to renew the lease of {Slide} batch {Batch} (it ran out, or the slide is starting again); computing it all the same, stored once")]
    private partial void LogLeaseLost(string worker, string slide, int batch);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Warning, Message = "Worker {Worker}: renewing the lease of {Slide} batch {Batch} failed; trying again at the next renewal")]
    private partial void LogRenewFailed(Exception exception, string worker, string slide, int batch);
}
