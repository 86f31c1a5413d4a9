using OrleansPathology.Grains.Devices;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansPathology.Grains.Telemetry;
using OrleansPathology.Model;
using OrleansPathology.Slides;
using OrleansPathology.Training;

namespace OrleansPathology.Grains.Training;

/// <summary>
/// A training run's coordinator (key: the run id). Its loop, started by <see cref="StartAsync"/> or by the reactivation
/// of a run that was running, does per step: publish the master weights of version v (one file in the run directory,
/// read by each trainer that does not have v yet); cut the global batch into <see cref="TrainingRunSpec.Workers"/>
/// slices and send each to a live trainer (a failed slice goes to another: any trainer computes the same result);
/// decode and average the returned gradient sets and take one optimizer step (<see cref="TrainingMaster"/>, off the
/// turn). After each epoch: distributed validation, a checkpoint, and the state written. Reentrant, so status calls
/// interleave with the loop; only the loop changes the run. A running run is listed in the <see cref="ITrainingRegistryGrain"/>
/// until its end is recorded, so that the silos revive it if this activation's silo dies.
/// </summary>
[Reentrant]
public sealed partial class TrainingCoordinatorGrain(
    [PersistentState("training", PathologyGrainOptions.StorageName)] IPersistentState<TrainingRunState> state,
    DeviceInventory devices,
    IOptions<TrainingOptions> options,
    ILogger<TrainingCoordinatorGrain> logger,
    PathologyMetrics? metrics = null,
    IOptions<PathologyGrainOptions>? pathology = null) : Grain, ITrainingCoordinatorGrain
{
    // Every path of a run (dataset, its slides, checkpoints, output weights) lies inside the silo's data roots.
    private readonly DataRoots _roots = new(pathology?.Value.DataRoots ?? []);

    private readonly PathologyMetrics _metrics = metrics ?? PathologyMetrics.Unregistered;

    /// <summary>Steps whose communication the status carries (the most recent ones).</summary>
    private const int RecentSteps = 20;

    private readonly StateWriteGate _writes = new();
    private readonly List<StepCommunication> _steps = [];
    private readonly string _nonce = Guid.NewGuid().ToString("N")[..8];
    private Task? _loop;
    private int _epoch, _step;
    private double? _lastLoss;
    private double _patchesPerSecond;
    private IReadOnlyList<string> _trainers = [];
    private int _reissued;
    private List<double> _epochLosses = [];

    private string RunId => this.GetPrimaryKeyString();

    private ITrainingRegistryGrain Registry => GrainFactory.GetGrain<ITrainingRegistryGrain>(TrainingRegistry.Key);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.State == RunState.Running)
        {
            // The activation that ran this run is gone (its silo died, or the cluster restarted): pick it up.
            state.State.Resumes++;
            LogResuming(RunId, state.State.CompletedEpochs, state.State.LastCheckpoint ?? "(none: from the start)");
            StartLoop();
        }
        return Task.CompletedTask;
    }

    public async Task<TrainingStatus> StartAsync(TrainingRunSpec spec)
    {
        if (spec.RunId != RunId) throw new ArgumentException($"spec for run '{spec.RunId}' sent to coordinator '{RunId}'");
        TrainingRunOptions.Validate(spec);
        // Refused before the run exists: a dataset or a slide outside the roots is bad input, not a failed run.
        var roots = _roots;
        // (A dataset that cannot be read still fails the run itself, with its reason, as before.)
        if (!roots.AllowsAll) await Task.Run(() =>
        {
            try
            {
                TrainingRunOptions.ReadDataset(spec, roots);
            }
            catch (DatasetException)
            {
            }
        });
        if (state.State.Spec is { } existing)
        {
            if (existing != spec)
                throw new InvalidOperationException($"run '{RunId}' already exists ({state.State.State}) with other settings; pick another run id");
            if (state.State.State == RunState.Running)
            {
                await Registry.RegisterAsync(RunId);
                StartLoop();
            }
            return Status();
        }
        state.State = new TrainingRunState { Spec = spec, State = RunState.Running };
        try
        {
            // Listed before storage says Running: a run the registry does not know comes back only when a client asks.
            await Registry.RegisterAsync(RunId);
        }
        catch
        {
            state.State = new TrainingRunState();
            throw;
        }
        await _writes.WriteAsync(state);
        LogStarted(RunId, spec.Workers, spec.Epochs, spec.BatchSize);
        StartLoop();
        return Status();
    }

    public Task<TrainingStatus?> GetStatusAsync() => Task.FromResult(state.State.Spec is null ? null : Status());

    private TrainingStatus Status()
    {
        var s = state.State;
        var losses = s.StepLosses.Concat(_epochLosses).ToList();
        return new TrainingStatus(RunId, s.State, Math.Max(_epoch, s.CompletedEpochs), s.Spec!.Epochs, _step, s.StepsPerEpoch, s.GlobalStep,
            _lastLoss, _patchesPerSecond, s.History.ToList(), losses, s.LastCheckpoint, s.Error, _steps.LastOrDefault(), _trainers,
            s.Spec.OutputWeights, s.Resumes, _reissued, _steps.TakeLast(RecentSteps).ToList());
    }

    private void StartLoop()
    {
        if (_loop is { IsCompleted: false }) return;
        DelayDeactivation(Timeout.InfiniteTimeSpan);
        _loop = RunAsync();
    }

    private async Task RunAsync()
    {
        var spec = state.State.Spec!;
        TrainingMaster? master = null;
        try
        {
            var checkpoint = state.State.LastCheckpoint;
            var fresh = checkpoint is null;
            master = await Task.Run(() =>
            {
                var dataset = TrainingRunOptions.ReadDataset(spec, _roots);
                var coordinatorOptions = TrainingRunOptions.ForCoordinator(spec);
                if (fresh) DatasetValidator.Validate(dataset, coordinatorOptions.Sampler.PatchSize);
                return fresh ? TrainingMaster.Create(dataset, coordinatorOptions) : TrainingMaster.Resume(dataset, coordinatorOptions, checkpoint!);
            });
            state.State.StepsPerEpoch = master.StepsPerEpoch;
            state.State.GlobalStep = master.GlobalStep;
            // Steps after the last checkpoint are recomputed: their losses go too.
            state.State.StepLosses = state.State.StepLosses.Take(master.CompletedEpochs * master.StepsPerEpoch).ToList();

            for (var epoch = master.CompletedEpochs; epoch < spec.Epochs; epoch++)
                await RunEpochAsync(master, spec, epoch);

            var final = state.State.History[^1].Checkpoint;
            await Task.Run(() =>
            {
                // The weights and their model card (the sidecar ModelWeights.Load reads), each whole or not at all.
                Directory.CreateDirectory(Path.GetDirectoryName(spec.OutputWeights)!);
                foreach (var (from, to) in new[] { (final, spec.OutputWeights), (ModelWeights.CardPath(final), ModelWeights.CardPath(spec.OutputWeights)) })
                {
                    File.Copy(from, to + ".partial", overwrite: true);
                    File.Move(to + ".partial", to, overwrite: true);
                }
            });
            state.State.State = RunState.Completed;
            await _writes.WriteAsync(state);
            LogCompleted(RunId, spec.OutputWeights);
            await UnregisterAsync();
        }
        catch (Exception ex)
        {
            // Bad input (a broken slide, a malformed dataset) is said in one line; only a fault carries its stack trace.
            if (IsBadInput(ex)) LogFailedOnInput(RunId, $"{ex.GetType().Name}: {ex.Message}");
            else LogFailed(ex, RunId);
            state.State.State = RunState.Failed;
            state.State.Error = $"{ex.GetType().Name}: {ex.Message}";
            try
            {
                await _writes.WriteAsync(state);
                await UnregisterAsync();
            }
            catch (Exception writeError)
            {
                // Storage still says Running: the run stays registered, and a new activation tries it again.
                LogStateWriteFailed(writeError, RunId);
            }
        }
        finally
        {
            if (master is not null) await Task.Run(master.Dispose);
            DelayDeactivation(TimeSpan.Zero);
        }
    }

    // The end is recorded in this grain's state; a registry entry left behind is pruned by the silos' revival pass.
    private async Task UnregisterAsync()
    {
        try
        {
            await Registry.UnregisterAsync(RunId);
        }
        catch (Exception ex)
        {
            LogUnregisterFailed(ex, RunId);
        }
    }

    private async Task RunEpochAsync(TrainingMaster master, TrainingRunSpec spec, int epoch)
    {
        _epoch = epoch;
        _epochLosses = [];
        var plan = EpochPlan.Create(master.Dataset.Training.Count, spec.Seed, epoch, spec.BatchSize, master.Options.DropLast);
        int patches = 0, correct = 0;
        double lossSum = 0;
        var clock = Stopwatch.StartNew();
        for (var step = 0; step < master.StepsPerEpoch; step++)
        {
            _step = step;
            var result = await StepAsync(master, spec, epoch, step, plan.Batch(step).Length);
            _step = step + 1;
            _lastLoss = result.MeanLoss;
            _epochLosses.Add(result.MeanLoss);
            patches += result.Samples;
            correct += result.Correct;
            lossSum += result.MeanLoss * result.Samples;
            _patchesPerSecond = patches / clock.Elapsed.TotalSeconds;
            state.State.GlobalStep = master.GlobalStep;
        }
        clock.Stop();

        var validation = master.Dataset.Validation.Count > 0 ? await ValidateAsync(master, spec) : null;
        var summary = new EpochSummary(epoch, master.StepsPerEpoch, 0, lossSum / patches, (double)correct / patches,
            validation?.Loss, validation?.Accuracy, patches / clock.Elapsed.TotalSeconds);
        var weights = await Task.Run(() =>
        {
            master.CompleteEpoch(summary);
            return master.SaveCheckpoint(Path.Combine(spec.RunDirectory, "checkpoints"));
        });
        var checkpointState = Path.ChangeExtension(weights, null) + TrainingCheckpoint.StateSuffix;
        state.State.CompletedEpochs = master.CompletedEpochs;
        state.State.GlobalStep = master.GlobalStep;
        state.State.LastCheckpoint = checkpointState;
        state.State.StepLosses.AddRange(_epochLosses);
        _epochLosses = [];
        state.State.History.Add(new TrainingEpoch(epoch, summary.Steps, summary.TrainLoss, summary.TrainAccuracy, summary.ValidationLoss,
            summary.ValidationAccuracy, summary.PatchesPerSecond, weights));
        await _writes.WriteAsync(state);
        LogEpoch(RunId, epoch, summary.TrainLoss, summary.ValidationAccuracy ?? double.NaN, weights);
    }

    private async Task<StepResult> StepAsync(TrainingMaster master, TrainingRunSpec spec, int epoch, int step, int batchCount)
    {
        var clock = Stopwatch.StartNew();
        var (version, weightsPath, written) = await PublishWeightsAsync(master, spec);
        var writeSeconds = clock.Elapsed.TotalSeconds;

        var slices = EpochPlan.Split(batchCount, Math.Min(spec.Workers, batchCount));
        var gather = Stopwatch.StartNew();
        var results = await Task.WhenAll(slices.Select((slice, i) => WithTrainerAsync(i, $"epoch {epoch} step {step} slice {i}",
            trainer => trainer.ComputeGradientsAsync(new GradientRequest(spec, version, weightsPath, epoch, step, slice.Start, slice.Length, master.LossScale)))));
        var gatherSeconds = gather.Elapsed.TotalSeconds;

        var apply = Stopwatch.StartNew();
        var result = await Task.Run(() =>
        {
            var sets = new List<GradientSet>(results.Length);
            try
            {
                foreach (var slice in results) sets.Add(GradientSetArchive.Decode(slice.Payload, $"gradients of {slice.Trainer}"));
                return master.Apply(sets);
            }
            finally
            {
                foreach (var set in sets) set.Dispose();
            }
        });
        var communication = new StepCommunication(slices.Count, results.Select(r => r.Trainer).Distinct().Count(), written,
            results.Sum(r => r.WeightBytesRead), results.Sum(r => (long)r.Payload.Length), writeSeconds, gatherSeconds,
            results.Max(r => r.LoadSeconds + r.ReadSeconds + r.ComputeSeconds + r.EncodeSeconds), apply.Elapsed.TotalSeconds, clock.Elapsed.TotalSeconds);
        if (_steps.Count == RecentSteps) _steps.RemoveAt(0);
        _steps.Add(communication);
        LogStep(RunId, epoch, step, result.MeanLoss, communication.GradientBytes, communication.WeightBytesRead, communication.StepSeconds);
        _metrics.RecordTrainingStep(result.MeanLoss, result.Samples, communication.StepSeconds);
        return result;
    }

    private string? _publishedPath;

    // Version v of the weights is the master after v steps; the file name carries this activation's nonce, so a trainer
    // that loaded a version of a previous activation (before a crash) loads again.
    private async Task<(long Version, string Path, long Bytes)> PublishWeightsAsync(TrainingMaster master, TrainingRunSpec spec)
    {
        var version = master.GlobalStep;
        var path = Path.Combine(spec.RunDirectory, "weights", $"v{version:D8}-{_nonce}.tensors");
        if (path == _publishedPath) return (version, path, 0);
        var previous = _publishedPath;
        var bytes = await Task.Run(() =>
        {
            var written = master.WriteWeights(path);
            if (previous is not null) File.Delete(previous);
            return written;
        });
        _publishedPath = path;
        return (version, path, bytes);
    }

    private async Task<ValidationResult> ValidateAsync(TrainingMaster master, TrainingRunSpec spec)
    {
        var (version, weightsPath, _) = await PublishWeightsAsync(master, spec);
        var count = master.Dataset.Validation.Count;
        var size = spec.ValidationBatchSize;
        var clock = Stopwatch.StartNew();
        var chunks = Enumerable.Range(0, (count + size - 1) / size).Select(i => (Start: i * size, Length: Math.Min(size, count - i * size))).ToList();
        var results = await Task.WhenAll(chunks.Select((chunk, i) => WithTrainerAsync(i, $"validation samples {chunk.Start}..{chunk.Start + chunk.Length - 1}",
            trainer => trainer.EvaluateAsync(new EvaluationRequest(spec, version, weightsPath, chunk.Start, chunk.Length)))));
        var samples = results.Sum(r => r.Samples);
        return new ValidationResult(samples, results.Sum(r => r.Correct), results.Sum(r => r.LossSum) / samples, clock.Elapsed);
    }

    // Runs one slice on a live trainer: the i-th slice on the i-th trainer (round robin), and after a failure on the next
    // live one, up to TrainingOptions.SliceAttempts times. Slices are pure functions of (weights, step, offset, length).
    private async Task<T> WithTrainerAsync<T>(int index, string what, Func<ITrainerGrain, Task<T>> call)
    {
        var settings = options.Value;
        for (var attempt = 0; ; attempt++)
        {
            var trainers = devices.LiveDevices();
            _trainers = trainers;
            if (trainers.Count == 0)
            {
                if (attempt + 1 >= settings.SliceAttempts) throw new InvalidOperationException($"no trainer is alive in the cluster for {what}");
                await Task.Delay(settings.RetryDelay);
                continue;
            }
            var key = trainers[(index + attempt) % trainers.Count];
            try
            {
                return await call(GrainFactory.GetGrain<ITrainerGrain>(key));
            }
            catch (Exception ex) when (attempt + 1 < settings.SliceAttempts)
            {
                _reissued++;
                LogSliceFailed(ex, RunId, what, key, attempt + 1);
                await Task.Delay(settings.RetryDelay);
            }
        }
    }

    [LoggerMessage(EventId = 4311, Level = LogLevel.Information, Message = "Training run {RunId} started: {Workers} slice(s) per step, {Epochs} epoch(s), batch {BatchSize}")]
    private partial void LogStarted(string runId, int workers, int epochs, int batchSize);

    [LoggerMessage(EventId = 4312, Level = LogLevel.Warning, Message = "Training run {RunId} resumes after {Epochs} completed epoch(s) from {Checkpoint}")]
    private partial void LogResuming(string runId, int epochs, string checkpoint);

    [LoggerMessage(EventId = 4313, Level = LogLevel.Debug, Message = "Training run {RunId} epoch {Epoch} step {Step}: loss {Loss}, {GradientBytes} gradient bytes in, {WeightBytes} weight bytes read, {Seconds} s")]
    private partial void LogStep(string runId, int epoch, int step, double loss, long gradientBytes, long weightBytes, double seconds);

    [LoggerMessage(EventId = 4314, Level = LogLevel.Information, Message = "Training run {RunId} finished epoch {Epoch}: train loss {Loss}, validation accuracy {Accuracy}, checkpoint {Checkpoint}")]
    private partial void LogEpoch(string runId, int epoch, double loss, double accuracy, string checkpoint);

    [LoggerMessage(EventId = 4315, Level = LogLevel.Warning, Message = "Training run {RunId}: {What} failed on trainer {Trainer} (attempt {Attempt}); re-issuing it")]
    private partial void LogSliceFailed(Exception exception, string runId, string what, string trainer, int attempt);

    [LoggerMessage(EventId = 4316, Level = LogLevel.Information, Message = "Training run {RunId} completed; weights at {Weights}")]
    private partial void LogCompleted(string runId, string weights);

    [LoggerMessage(EventId = 4317, Level = LogLevel.Error, Message = "Training run {RunId} failed")]
    private partial void LogFailed(Exception exception, string runId);

    [LoggerMessage(EventId = 4330, Level = LogLevel.Error, Message = "Training run {RunId} failed: {Reason}")]
    private partial void LogFailedOnInput(string runId, string reason);

    private static bool IsBadInput(Exception ex) =>
        ex is DatasetException or TensorArchiveException or ModelWeightsException or SlideException or ArgumentException or UnauthorizedAccessException;

    [LoggerMessage(EventId = 4318, Level = LogLevel.Error, Message = "Training run {RunId}: its failure could not be recorded")]
    private partial void LogStateWriteFailed(Exception exception, string runId);

    [LoggerMessage(EventId = 4319, Level = LogLevel.Warning, Message = "Training run {RunId}: the training registry could not forget it; the silos' next revival pass does")]
    private partial void LogUnregisterFailed(Exception exception, string runId);
}
