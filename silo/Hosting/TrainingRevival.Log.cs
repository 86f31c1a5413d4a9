using Microsoft.Extensions.Logging;
using OrleansPathology.Grains;

namespace OrleansPathology.Silo.Hosting;

internal sealed partial class TrainingRevival
{
    [LoggerMessage(EventId = 4322, Level = LogLevel.Warning, Message = "Training revival: the coordinator of run {RunId} did not answer; trying again in {Interval}")]
    private static partial void LogRunUnreachable(ILogger logger, Exception exception, string runId, TimeSpan interval);

    [LoggerMessage(EventId = 4323, Level = LogLevel.Information, Message = "Training revival: run {RunId} had ended ({State}); dropped from the training registry")]
    private static partial void LogDropped(ILogger logger, string runId, RunState state);
}
