using OrleansPathology.Inference;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansPathology.Grains.Workers;
using OrleansPathology.Model;
using TorchSharp;

namespace OrleansPathology.Silo.Hosting;

/// <summary>
/// Readiness of a silo (<c>/ready</c>): ready once the silo is active, its workers have started (the stage after
/// <see cref="WorkerLifecycle"/>'s) and the model builds on each of its devices, which proves libtorch, the device
/// and the network load; not ready again from the moment the silo begins to stop.
/// </summary>
public sealed partial class SiloReadiness(IOptions<WorkerOptions> workers, ILogger<SiloReadiness> logger)
    : IHealthCheck, ILifecycleParticipant<ISiloLifecycle>
{
    private volatile string _state = "starting: the silo is not active yet";
    private volatile bool _ready;

    public bool IsReady => _ready;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SiloReadiness), ServiceLifecycleStage.Active + 1, StartAsync, StopAsync);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_ready ? HealthCheckResult.Healthy(_state) : HealthCheckResult.Unhealthy(_state));

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        var devices = workers.Value.Devices;
        _state = $"starting: building the model on {string.Join(", ", devices)}";
        try
        {
            await Task.Run(() => BuildModelOn(devices), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The silo still runs (its workers report their own failures); it is just never reported ready.
            _state = $"not ready: the model did not load on {string.Join(", ", devices)}: {ex.Message}";
            LogNotReady(ex, string.Join(", ", devices));
            return;
        }
        _state = $"ready: workers started on {string.Join(", ", devices)}";
        _ready = true;
    }

    private Task StopAsync(CancellationToken cancellationToken)
    {
        _ready = false;
        _state = "stopping";
        return Task.CompletedTask;
    }

    private static void BuildModelOn(IEnumerable<string> devices)
    {
        foreach (var torchDevice in devices.Where(d => DeviceName.Parse(d).Kind != DeviceKind.Sim).Select(d => DeviceName.Parse(d).TorchDevice).Distinct(StringComparer.Ordinal))
        {
            using var model = new FcnResNet18();
            model.to(new torch.Device(torchDevice));
        }
    }

    [LoggerMessage(EventId = 4201, Level = LogLevel.Error, Message = "The model could not be built on {Devices}; the silo is not ready")]
    private partial void LogNotReady(Exception exception, string devices);
}
