using System.Net;
using k8s.Models;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Hosting.Kubernetes;
using OrleansPathology.Client;
using OrleansPathology.Grains;
using OrleansPathology.Grains.Workers;
using OrleansPathology.Silo.Hosting;

namespace OrleansPathology.Tests.Kubernetes;

/// <summary>
/// The environment the manifests give a pod, fed to the real silo host and the real <c>opath</c> command line:
/// the silo takes its name, address, cluster ids and shutdown timeout from it, and each job's arguments parse.
/// </summary>
public sealed class PodSettingsTests
{
    [Theory]
    [InlineData("trial", "StatefulSet/opath-silo-gpu", "opath-silo-gpu-0")]
    [InlineData("external-postgres", "Deployment/opath-silo-cpu", "opath-silo-cpu-7d9f8-x2kq4")]
    public void A_silo_built_from_its_pod_environment_is_named_and_addressed_after_the_pod(string overlay, string owner, string podName)
    {
        var m = Manifests.Overlay(overlay);
        var silo = m.Silos().Single(s => s.Owner == owner);
        var pod = new PodInstance(podName, silo.OwnerMetadata.NamespaceProperty, "10.244.3.21", silo.Labels);
        var env = PodEnvironment.Resolve(m, silo.Owner, silo.Container("silo"), pod, OverlayTests.Secrets());

        using var host = BuildSilo(env);
        var services = host.Services;
        // Orleans' Kubernetes hosting reads the pod's variables from the process environment (its contract with the
        // kubelet), so they are set for the moment the options are computed. No other test uses Kubernetes hosting.
        SiloOptions siloOptions;
        EndpointOptions endpoints;
        ClusterOptions cluster;
        lock (PodVariablesGate)
        {
            var saved = PodVariables.ToDictionary(v => v, Environment.GetEnvironmentVariable);
            try
            {
                foreach (var variable in PodVariables) Environment.SetEnvironmentVariable(variable, env[variable]);
                siloOptions = services.GetRequiredService<IOptions<SiloOptions>>().Value;
                endpoints = services.GetRequiredService<IOptions<EndpointOptions>>().Value;
                cluster = services.GetRequiredService<IOptions<ClusterOptions>>().Value;
            }
            finally
            {
                foreach (var (variable, value) in saved) Environment.SetEnvironmentVariable(variable, value);
            }
        }

        Assert.Equal(podName, siloOptions.SiloName);
        Assert.Equal(IPAddress.Parse("10.244.3.21"), endpoints.AdvertisedIPAddress);
        Assert.Equal(new IPEndPoint(IPAddress.Any, 11111), endpoints.SiloListeningEndpoint);
        Assert.Equal(new IPEndPoint(IPAddress.Any, 30000), endpoints.GatewayListeningEndpoint);
        Assert.Equal(silo.Labels[KubernetesHostingOptions.ClusterIdLabel], cluster.ClusterId);
        Assert.Equal(silo.Labels[KubernetesHostingOptions.ServiceIdLabel], cluster.ServiceId);
        var workers = services.GetRequiredService<IOptions<WorkerOptions>>().Value;
        Assert.Equal(podName, workers.SiloName);
        Assert.NotEmpty(workers.Devices);
        Assert.Equal(["/data/slides", "/data/outputs"], services.GetRequiredService<IOptions<PathologyGrainOptions>>().Value.DataRoots);
    }

    [Theory]
    [MemberData(nameof(OverlayTests.Overlays), MemberType = typeof(OverlayTests))]
    public void Kubernetes_waits_longer_than_the_silo_takes_to_drain_its_batches_and_leave(string overlay)
    {
        var m = Manifests.Overlay(overlay);
        foreach (var silo in m.Silos())
        {
            var env = PodEnvironment.Resolve(m, silo.Owner, silo.Container("silo"), OverlayTests.PodOf(silo, "ns"), OverlayTests.Secrets());
            using var host = BuildSilo(env);
            var shutdown = host.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout;
            var lease = host.Services.GetRequiredService<IOptions<PathologyGrainOptions>>().Value.LeaseTimeout;
            var grace = TimeSpan.FromSeconds(silo.Spec.TerminationGracePeriodSeconds ?? 30);

            Assert.Equal(TimeSpan.FromSeconds(120), shutdown);
            // A drain longer than the lease is pointless (the batch is handed to another worker by then); a shorter one cuts batches.
            Assert.True(shutdown >= lease, $"{overlay}: {silo.Owner} shuts down in {shutdown}, before a batch's lease of {lease} ends");
            Assert.True(grace >= shutdown + TimeSpan.FromSeconds(10), $"{overlay}: {silo.Owner} is killed {grace} after SIGTERM, too soon for a {shutdown} shutdown");
        }
    }

    [Fact]
    public void The_schema_job_and_the_cohort_job_template_run_commands_opath_accepts()
    {
        var m = Manifests.Overlay("trial");
        var init = m.Get<V1Job>("opath-db-init").Spec.Template.Spec.Containers.Single();
        AssertParses(["db", "init"], init.Args, new Dictionary<string, string>());

        var template = Manifests.File(Path.Combine(Manifests.K8s, "jobs", "submit-cohort.yaml"));
        var job = Assert.IsType<V1Job>(Assert.Single(template.Objects));
        var submit = job.Spec.Template.Spec.Containers.Single();
        var env = (submit.Env ?? []).Where(e => e.Value is not null).ToDictionary(e => e.Name, e => e.Value);
        var args = AssertParses(["submit"], submit.Args, env);
        Assert.Equal("postgres", args[Array.IndexOf(args, "--cluster") + 1]);
        Assert.StartsWith("/data/slides/", args[1]);

        // The template talks to the silos of the overlays: same settings, same secret, same cluster ids, same volume.
        var silo = m.Silos().First();
        Assert.Equal(silo.Labels[KubernetesHostingOptions.ClusterIdLabel], env["Silo__ClusterId"]);
        Assert.Equal(silo.Labels[KubernetesHostingOptions.ServiceIdLabel], env["Silo__ServiceId"]);
        Assert.Equal(init.Env.Select(e => (e.Name, e.ValueFrom?.ConfigMapKeyRef?.Key, e.ValueFrom?.SecretKeyRef?.Name)),
            (submit.Env ?? []).Where(e => e.Name is "OPATH_CONNECTION_STRING" or "PGPASSWORD").Select(e => (e.Name, e.ValueFrom?.ConfigMapKeyRef?.Key, e.ValueFrom?.SecretKeyRef?.Name)));
        Assert.Equal(silo.Spec.Volumes.Single(v => v.Name == "slides").PersistentVolumeClaim.ClaimName,
            job.Spec.Template.Spec.Volumes.Single(v => v.Name == "slides").PersistentVolumeClaim.ClaimName);
        Assert.Equal(m.Get<V1Job>("opath-db-init").Spec.Template.Spec.Containers.Single().Image, submit.Image);
    }

    internal static string[] AssertParses(string[] command, IList<string> args, IReadOnlyDictionary<string, string> env)
    {
        var expanded = args.Select(a => PodEnvironment.Expand(a, env)).ToArray();
        var parsed = OpathCommand.Create().Parse(expanded);
        Assert.True(parsed.Errors.Count == 0, $"opath {string.Join(' ', expanded)}: {string.Join("; ", parsed.Errors.Select(e => e.Message))}");
        Assert.Empty(parsed.UnmatchedTokens);
        Assert.Equal(command[^1], parsed.CommandResult.Command.Name);
        Assert.Equal(command, expanded[..command.Length]);
        return expanded;
    }

    private static readonly Lock PodVariablesGate = new();

    private static readonly string[] PodVariables =
    [
        KubernetesHostingOptions.PodNameEnvironmentVariable, KubernetesHostingOptions.PodNamespaceEnvironmentVariable,
        KubernetesHostingOptions.PodIPEnvironmentVariable, KubernetesHostingOptions.ServiceIdEnvironmentVariable,
        KubernetesHostingOptions.ClusterIdEnvironmentVariable,
    ];

    /// <summary>The silo host of <c>silo/Program.cs</c>, with the pod's environment as its configuration (built, not started).</summary>
    private static IHost BuildSilo(IReadOnlyDictionary<string, string> env)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });
        // As the environment-variable configuration provider reads them: Section__Key is Section:Key.
        builder.Configuration.AddInMemoryCollection(env.Select(e => KeyValuePair.Create(e.Key.Replace("__", ":"), (string?)e.Value)));
        builder.AddPathologySilo();
        return builder.Build();
    }
}
