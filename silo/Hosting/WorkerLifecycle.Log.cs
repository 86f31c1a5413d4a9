using Microsoft.Extensions.Logging;

namespace OrleansPathology.Silo.Hosting;

internal sealed partial class WorkerLifecycle
{
    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Silo {Silo} started its workers on {Devices}")]
    private partial void LogStarted(string silo, string devices);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Error, Message = "Worker {Worker} could not be started")]
    private partial void LogStartFailed(Exception exception, string worker);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "Worker {Worker} did not drain before the silo stopped; its leased batches go to other workers when their leases run out")]
    private partial void LogDrainFailed(Exception exception, string worker);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Warning, Message = "Worker {Worker} could not be started again; trying again in {Interval}")]
    private partial void LogRestartFailed(Exception exception, string worker, TimeSpan interval);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Warning, Message = "Worker {Worker} did not answer its start within the call timeout; the silo starts and tries again in {Interval}")]
    private partial void LogStartSlow(Exception exception, string worker, TimeSpan interval);
}
