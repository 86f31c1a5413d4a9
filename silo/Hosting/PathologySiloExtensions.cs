using System.Net;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using OrleansPathology.Grains;
using OrleansPathology.Grains.Storage;
using OrleansPathology.Grains.Telemetry;

namespace OrleansPathology.Silo.Hosting;

/// <summary>Everything a pathology silo needs, from configuration: clustering, state, the batch store and the workers.</summary>
public static class PathologySiloExtensions
{
    public static IHostApplicationBuilder AddPathologySilo(this IHostApplicationBuilder builder, Action<ISiloBuilder>? configure = null)
    {
        var host = builder.Configuration.GetSection(SiloHostOptions.SectionName).Get<SiloHostOptions>() ?? new SiloHostOptions();
        Validator.ValidateObject(host, new ValidationContext(host), validateAllProperties: true);
        if (host.UsesPostgres && string.IsNullOrWhiteSpace(host.ConnectionString))
            throw new OptionsValidationException(SiloHostOptions.SectionName, typeof(SiloHostOptions),
                ["Silo:ConnectionString is required when Silo:Clustering is postgres or kubernetes, or Silo:Storage is postgres"]);
        Validator.ValidateObject(host.Tls, new ValidationContext(host.Tls), validateAllProperties: true);
        host.ConnectionString = DatabaseSecrets.WithPasswordFile(host.ConnectionString, host.DatabasePasswordFile);
        builder.Services.TryAddSingleton<PathologyMetrics>();
        builder.Logging.KeepOwnCategories(LoggingRules.DefaultLevel(builder.Configuration));

        builder.Services.AddOptionsWithValidateOnStart<PathologyGrainOptions>()
            .Bind(builder.Configuration.GetSection(PathologyGrainOptions.SectionName)).ValidateDataAnnotations();
        builder.Services.AddSingleton(TimeProvider.System);
        if (host.Storage == StateStorage.Postgres)
        {
            builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(host.ConnectionString!));
            builder.Services.AddSingleton<PostgresBatchResultStore>();
            builder.Services.AddSingleton<IBatchResultStore>(sp => sp.GetRequiredService<PostgresBatchResultStore>());
            // Rows older than Pathology:BatchResultRetention are deleted once an hour.
            builder.Services.AddHostedService(sp => ActivatorUtilities.CreateInstance<BatchResultPruner>(sp));
        }
        else
        {
            builder.Services.AddSingleton<IBatchResultStore, MemoryBatchResultStore>();
        }

        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (host.ClusterId, host.ServiceId));
            if (host.Clustering == ClusteringMode.Postgres)
            {
                silo.UsePostgresClustering(host.ConnectionString!);
                silo.ConfigureEndpoints(IPAddress.Parse(host.AdvertisedAddress), host.SiloPort, host.GatewayPort, listenOnAnyHostAddress: true);
            }
            else if (host.Clustering == ClusteringMode.Kubernetes) silo.UseKubernetesPodHosting(host);
            else
            {
                silo.UseLocalhostClustering(host.SiloPort, host.GatewayPort, serviceId: host.ServiceId, clusterId: host.ClusterId);
            }

            if (host.Storage == StateStorage.Postgres) silo.AddPostgresGrainStorage(PathologyGrainOptions.StorageName, host.ConnectionString!);
            else silo.AddMemoryGrainStorage(PathologyGrainOptions.StorageName);

            // Every silo runs inference workers for its devices (section Workers: devices, concurrency, silo name).
            silo.AddInferenceWorkers();
            // Trace context crosses grain calls (created only while a tracer listens); TLS when Silo:Tls names a certificate.
            silo.AddActivityPropagation();
            if (host.Tls.Enabled) silo.UsePathologyTls(host.Tls);
            // ... and a trainer per device, for data-parallel training runs (section Training: retry settings).
            silo.AddTrainers();
            // Every silo calls the running cohorts, so that a cohort whose silo died watches its slides again.
            silo.AddCohortRevival();
            // A failure from outside the namespaces Orleans serialises (a database's) reaches the caller as its reason.
            silo.AddPortableFaults();
            // Orleans' maintenance timers without their spin at the end of each period (a fifth of idle silos' CPU).
            silo.AddPathologyHousekeeping();
            configure?.Invoke(silo);
        });
        // The scaling gauges (opath_work_pending_cells, opath_work_pending_batches, opath_device_utilization).
        builder.Services.AddHostedService<ScalingGaugeSampler>();
        return builder;
    }

    /// <summary>Adds the <see cref="PortableFaultFilter"/> to every grain call.</summary>
    public static ISiloBuilder AddPortableFaults(this ISiloBuilder builder) => builder.AddIncomingGrainCallFilter<PortableFaultFilter>();

    /// <summary>
    /// Adds the <see cref="CohortRevival"/> pass (every <see cref="PathologyGrainOptions.WatchInterval"/>); idempotent.
    /// </summary>
    public static ISiloBuilder AddCohortRevival(this ISiloBuilder builder)
    {
        if (builder.Services.Any(d => d.ServiceType == typeof(CohortRevival))) return builder;
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<CohortRevival>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<CohortRevival>());
        return builder;
    }
}
