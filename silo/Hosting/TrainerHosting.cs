using OrleansPathology.Grains.Devices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansPathology.Grains.Training;

namespace OrleansPathology.Silo.Hosting;

/// <summary>The training side of a silo: a trainer grain per device, what coordinators need to find them, and the revival of runs.</summary>
public static class TrainerHosting
{
    /// <summary>
    /// Adds training: <see cref="TrainingOptions"/> from section <c>Training</c> (then <paramref name="configure"/>),
    /// validated at start, and the <see cref="DeviceInventory"/> coordinators ask for live trainers. Trainers need no
    /// start-up of their own: they are the silo's devices as <see cref="WorkerHosting.AddInferenceWorkers"/> announces them
    /// (<c>{SiloName}/{device}</c>, pinned there by the same placement), activated by the first slice sent to them.
    /// And a <see cref="TrainingRevival"/> that calls the running runs' coordinators every <see cref="TrainingOptions.ReviveInterval"/>,
    /// so that a run whose coordinator's silo died resumes on another without a client asking.
    /// Call it after <see cref="WorkerHosting.AddInferenceWorkers"/>.
    /// </summary>
    public static ISiloBuilder AddTrainers(this ISiloBuilder builder, Action<TrainingOptions>? configure = null)
    {
        var section = builder.Configuration.GetSection(TrainingOptions.SectionName);
        builder.Services.AddOptionsWithValidateOnStart<TrainingOptions>()
            .Configure(o =>
            {
                section.Bind(o);
                configure?.Invoke(o);
            })
            .ValidateDataAnnotations();
        builder.Services.TryAddSingleton<DeviceInventory>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<TrainingRevival>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<TrainingRevival>());
        return builder;
    }
}
