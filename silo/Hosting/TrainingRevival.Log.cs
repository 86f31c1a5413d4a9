using Microsoft.Extensions.Logging;
using OrleansPathology.Grains;

namespace OrleansPathology.Silo.Hosting;

internal sealed partial class TrainingRevival
{
    [LoggerMessage(EventId = 4321, Level = LogLevel.Warning, Message = "Training revival: the training registry could not be read; trying again in {Interval}")]
    private partial void LogPassFailed(Exception exception, TimeSpan interval);

    [LoggerMessage(EventId = 4322, Level = LogLevel.Warning, Message = "Training revival: the coordinator of run {RunId} did not answer; trying again in {Interval}")]
    private partial void LogRunUnreachable(Exception exception, string runId, TimeSpan interval);

    [LoggerMessage(EventId = 4323, Level = LogLevel.Information, Message = "Training revival: run {RunId} had ended ({State}); dropped from the training registry")]
    private partial void LogDropped(string runId, RunState state);
}
