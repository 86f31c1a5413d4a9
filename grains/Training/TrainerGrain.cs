using OrleansPathology.Grains.Devices;
using OrleansPathology.Inference;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansPathology.Grains.Workers;
using OrleansPathology.Model;
using OrleansPathology.Training;

namespace OrleansPathology.Grains.Training;

/// <summary>
/// One device's trainer (key <c>{siloName}/{device}</c>, placed on that silo). It keeps one run's
/// <see cref="SliceTrainer"/> (patches, compute copy, last weights version) and answers slices one at a time;
/// reading, forward, backward and encoding run on the thread pool, never on the grain's turn.
/// </summary>
[DevicePinnedPlacement]
public sealed partial class TrainerGrain(IOptions<WorkerOptions> workers, ILogger<TrainerGrain> logger, IOptions<PathologyGrainOptions>? pathology = null)
    : Grain, ITrainerGrain
{
    private readonly OrleansPathology.Slides.DataRoots _roots = new(pathology?.Value.DataRoots ?? []);

    private SliceTrainer? _worker;
    private TrainingRunSpec? _run;

    private string Key => this.GetPrimaryKeyString();

    public async Task<GradientSlice> ComputeGradientsAsync(GradientRequest request)
    {
        var worker = await WorkerForAsync(request.Run);
        var key = Key;
        return await Task.Run(() =>
        {
            var clock = Stopwatch.StartNew();
            var bytesRead = worker.LoadWeights(request.WeightsPath, request.Version);
            var load = clock.Elapsed.TotalSeconds;
            var (gradients, timings) = worker.Compute(request.Epoch, request.Step, request.Offset, request.Length, request.LossScale);
            using (gradients)
            {
                clock.Restart();
                var payload = GradientSetArchive.Encode(gradients);
                return new GradientSlice(key, payload, bytesRead, load, timings.ReadSeconds, timings.ComputeSeconds, clock.Elapsed.TotalSeconds);
            }
        });
    }

    public async Task<EvaluationSlice> EvaluateAsync(EvaluationRequest request)
    {
        var worker = await WorkerForAsync(request.Run);
        var key = Key;
        return await Task.Run(() =>
        {
            worker.LoadWeights(request.WeightsPath, request.Version);
            var result = worker.Evaluate(request.Start, request.Length);
            return new EvaluationSlice(key, result.Samples, result.Correct, result.Loss * result.Samples);
        });
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _worker?.Dispose();
        _worker = null;
        return Task.CompletedTask;
    }

    // One run at a time: a request for another run replaces the worker (its dataset, weights and compute copy).
    private async Task<SliceTrainer> WorkerForAsync(TrainingRunSpec run)
    {
        if (_worker is not null && _run == run) return _worker;
        var (siloName, device) = DeviceKeys.Parse(Key);
        if (siloName != workers.Value.SiloName)
            throw new InvalidOperationException($"trainer {Key} was activated on silo '{workers.Value.SiloName}', not on '{siloName}'");
        if (!workers.Value.Devices.Contains(device))
            throw new ArgumentException($"silo '{siloName}' has no device '{device}' (it has {string.Join(", ", workers.Value.Devices)})");

        _worker?.Dispose();
        _worker = null;
        var options = TrainingRunOptions.For(run, ComputeDevice.Parse(DeviceName.Parse(device).TorchDevice, run.Precision));
        _worker = await Task.Run(() => new SliceTrainer(TrainingRunOptions.ReadDataset(run, _roots), options));
        _run = run;
        LogJoined(Key, run.RunId, options.Device.ToString());
        return _worker;
    }

    [LoggerMessage(EventId = 4301, Level = LogLevel.Information, Message = "Trainer {Trainer} joined run {RunId} on {Device}")]
    private partial void LogJoined(string trainer, string runId, string device);
}
