using OrleansPathology.Inference;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Runtime.MembershipService.SiloMetadata;
using OrleansPathology.Grains;
using Microsoft.Extensions.Options;
using OrleansPathology.Grains.Devices;
using OrleansPathology.Grains.Storage;
using OrleansPathology.Grains.Telemetry;
using OrleansPathology.Grains.Work;
using OrleansPathology.Grains.Workers;
using TorchSharp;

namespace OrleansPathology.Silo.Hosting;

/// <summary>The inference workers of a silo: one per device, pinned to this silo, started and drained with it.</summary>
public static class WorkerHosting
{
    /// <summary>
    /// Adds this silo's inference workers: <see cref="WorkerOptions"/> from section <c>Workers</c> (then
    /// <paramref name="configure"/>), validated at start; the silo metadata that names this silo and its
    /// devices; the placement that pins each worker to its silo; and a lifecycle participant that starts
    /// worker <c>{SiloName}/{device}</c> for each device once the silo is active and drains them when it stops.
    /// </summary>
    public static ISiloBuilder AddInferenceWorkers(this ISiloBuilder builder, Action<WorkerOptions>? configure = null)
    {
        var section = builder.Configuration.GetSection(WorkerOptions.SectionName);
        void Resolve(WorkerOptions options)
        {
            section.Bind(options);
            configure?.Invoke(options);
            if (options.Devices.Count == 0) options.Devices = DefaultDevices(options.CpuWorkers);
        }

        // The metadata is published from the same resolution the options get (the silo announces what it runs).
        var announced = new WorkerOptions();
        Resolve(announced);
        builder.UseSiloMetadata(new Dictionary<string, string>
        {
            [SiloMetadataKeys.SiloName] = announced.SiloName,
            [SiloMetadataKeys.Devices] = string.Join(',', announced.Devices),
        });
        builder.AddPlacementDirector<DevicePinnedPlacement, DevicePinnedPlacementDirector>();

        var services = builder.Services;
        services.AddOptionsWithValidateOnStart<WorkerOptions>()
            .Configure(Resolve)
            .ValidateDataAnnotations();
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<PathologyGrainOptions>();
        services.TryAddSingleton(sp =>
        {
            var workers = sp.GetRequiredService<IOptions<WorkerOptions>>().Value;
            var metrics = sp.GetService<PathologyMetrics>() ?? PathologyMetrics.Unregistered;
            return new BatchScorer(new BatchScorerOptions
            {
                OpenSlides = workers.OpenSlides,
                DataRoots = sp.GetRequiredService<IOptions<PathologyGrainOptions>>().Value.DataRoots,
                Simulation = workers.Simulation.ToDomain(),
                CpuDeviceThreads = BatchScorerOptions.ThreadsPerCpuDevice(workers.Devices, Environment.ProcessorCount),
            }, sp.GetRequiredService<TimeProvider>(), metrics.ModelLoaded);
        });
        services.TryAddSingleton<WorkSource>();
        services.TryAddSingleton<BatchResultWriter>();
        services.TryAddSingleton<DeviceInventory>();
        services.TryAddSingleton<WorkerLifecycle>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<WorkerLifecycle>());
        return builder;
    }

    /// <summary><c>cuda:0..N-1</c> when TorchSharp sees CUDA devices, else <paramref name="cpuWorkers"/> entries <c>cpu:0..</c>.</summary>
    public static List<string> DefaultDevices(int cpuWorkers) =>
        torch.cuda.is_available()
            ? Enumerable.Range(0, torch.cuda.device_count()).Select(i => DeviceName.Cuda(i).ToString()).ToList()
            : Enumerable.Range(0, Math.Max(1, cpuWorkers)).Select(i => DeviceName.Cpu(i).ToString()).ToList();
}
