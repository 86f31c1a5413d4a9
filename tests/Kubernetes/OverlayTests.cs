using System.Text.RegularExpressions;
using k8s.Models;
using Npgsql;
using Orleans.Hosting.Kubernetes;
using OrleansPathology.Silo.Hosting;

namespace OrleansPathology.Tests.Kubernetes;

/// <summary>
/// Each overlay of <c>k8s/overlays</c>, rendered: what must agree between objects (selectors and labels, ports,
/// the environment Orleans' Kubernetes hosting reads, secrets, GPUs, probes, volumes) does.
/// </summary>
public sealed partial class OverlayTests
{
    public static TheoryData<string> Overlays => [.. Manifests.Overlays];

    /// <summary>The Secret template shipped in <c>k8s/examples</c>: names and keys only.</summary>
    internal static V1Secret ExampleSecret => Assert.IsType<V1Secret>(Assert.Single(Manifests.File(Path.Combine(Manifests.K8s, "examples", "database-secret.yaml")).Objects));

    /// <summary>The example Secret's keys with a stand-in value, for resolving <c>secretKeyRef</c>s.</summary>
    internal static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Secrets(string value = "stand-in-password") =>
        new Dictionary<string, IReadOnlyDictionary<string, string>>
        {
            [ExampleSecret.Metadata.Name] = ExampleSecret.StringData.Keys.ToDictionary(k => k, _ => value),
        };

    internal static PodInstance PodOf(PodTemplate template, string ns, string name = "pod-0", string ip = "10.244.1.17") =>
        new(name, ns, ip, template.Labels);

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Selectors_select_their_own_pods_and_services_and_budgets_find_theirs(string overlay)
    {
        var m = Manifests.Overlay(overlay);
        var pods = m.PodTemplates().ToList();
        foreach (var pod in pods.Where(p => p.Selector is not null && !p.Owner.StartsWith("Job/", StringComparison.Ordinal)))
        {
            Assert.True(pod.IsSelectedBy(pod.Selector!.MatchLabels), $"{overlay}: {pod.Owner}'s selector does not match its pod labels");
            Assert.Null(pod.Selector!.MatchExpressions);
        }
        foreach (var service in m.All<V1Service>())
        {
            var selected = pods.Where(p => p.IsSelectedBy(service.Spec.Selector)).ToList();
            Assert.True(selected.Count == 1, $"{overlay}: Service {service.Metadata.Name} selects {selected.Count} workloads");
            foreach (var port in service.Spec.Ports)
            {
                var target = port.TargetPort?.Value ?? port.Port.ToString();
                Assert.True(selected[0].Spec.Containers.SelectMany(c => c.Ports ?? []).Any(p => p.Name == target || p.ContainerPort.ToString() == target),
                    $"{overlay}: Service {service.Metadata.Name} port {port.Name} targets {target}, which no container of {selected[0].Owner} exposes");
            }
        }
        foreach (var budget in m.All<V1PodDisruptionBudget>())
        {
            var selected = pods.Where(p => p.IsSelectedBy(budget.Spec.Selector.MatchLabels)).Select(p => p.Owner).ToList();
            Assert.True(selected.Count == 1, $"{overlay}: PodDisruptionBudget {budget.Metadata.Name} selects [{string.Join(", ", selected)}]");
        }
        foreach (var set in m.All<V1StatefulSet>())
        {
            var governing = m.Get<V1Service>(set.Spec.ServiceName);
            Assert.Equal("None", governing.Spec.ClusterIP);
            Assert.True(pods.Single(p => p.Owner == $"StatefulSet/{set.Metadata.Name}").IsSelectedBy(governing.Spec.Selector));
        }
        Assert.Equal(2, m.All<V1PodDisruptionBudget>().Count());
        Assert.All(m.Silos(), s => Assert.Contains(m.All<V1PodDisruptionBudget>(), b => s.IsSelectedBy(b.Spec.Selector.MatchLabels)));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Silo_pods_give_Orleans_Kubernetes_hosting_its_environment_labels_ports_and_pod_permissions(string overlay)
    {
        var m = Manifests.Overlay(overlay);
        var silos = m.Silos().ToList();
        Assert.Equal(["Deployment/opath-silo-cpu", "StatefulSet/opath-silo-gpu"], silos.Select(s => s.Owner).Order());
        foreach (var silo in silos)
        {
            var container = silo.Container("silo");
            Assert.True(silo.Labels.ContainsKey(KubernetesHostingOptions.ClusterIdLabel), $"{silo.Owner} lacks the {KubernetesHostingOptions.ClusterIdLabel} label");
            var fields = (container.Env ?? []).Where(e => e.ValueFrom?.FieldRef is not null).ToDictionary(e => e.Name, e => e.ValueFrom.FieldRef.FieldPath);
            Assert.Equal("metadata.name", fields.GetValueOrDefault(KubernetesHostingOptions.PodNameEnvironmentVariable));
            Assert.Equal("metadata.namespace", fields.GetValueOrDefault(KubernetesHostingOptions.PodNamespaceEnvironmentVariable));
            Assert.Equal("status.podIP", fields.GetValueOrDefault(KubernetesHostingOptions.PodIPEnvironmentVariable));
            Assert.Equal($"metadata.labels['{KubernetesHostingOptions.ServiceIdLabel}']", fields.GetValueOrDefault(KubernetesHostingOptions.ServiceIdEnvironmentVariable));
            Assert.Equal($"metadata.labels['{KubernetesHostingOptions.ClusterIdLabel}']", fields.GetValueOrDefault(KubernetesHostingOptions.ClusterIdEnvironmentVariable));

            var ns = silo.OwnerMetadata.NamespaceProperty;
            var env = PodEnvironment.Resolve(m, silo.Owner, container, PodOf(silo, ns, "opath-silo-x"), Secrets());
            Assert.Equal("kubernetes", env["Silo__Clustering"]);
            Assert.Equal("postgres", env["Silo__Storage"]);
            Assert.Equal(silo.Labels[KubernetesHostingOptions.ClusterIdLabel], env["Silo__ClusterId"]);
            Assert.Equal(silo.Labels[KubernetesHostingOptions.ServiceIdLabel], env["Silo__ServiceId"]);
            Assert.Equal("opath-silo-x", env["Workers__SiloName"]);

            // The ports Orleans listens on are the ones the pod declares (SiloHostOptions' defaults unless set).
            var defaults = new SiloHostOptions();
            var ports = container.Ports.ToDictionary(p => p.Name, p => p.ContainerPort);
            Assert.Equal(11111, defaults.SiloPort);
            Assert.Equal(30000, defaults.GatewayPort);
            Assert.Equal(env.TryGetValue("Silo__SiloPort", out var sp) ? int.Parse(sp) : defaults.SiloPort, ports["silo"]);
            Assert.Equal(env.TryGetValue("Silo__GatewayPort", out var gp) ? int.Parse(gp) : defaults.GatewayPort, ports["gateway"]);

            // The service account may get, list, watch and patch pods in the silos' own namespace.
            var account = m.Get<V1ServiceAccount>(silo.Spec.ServiceAccountName);
            Assert.Equal(ns, account.Metadata.NamespaceProperty);
            Assert.NotEqual(false, account.AutomountServiceAccountToken);
            var binding = Assert.Single(m.All<V1RoleBinding>(), b => b.Subjects.Any(s => s.Kind == "ServiceAccount" && s.Name == account.Metadata.Name));
            Assert.Equal(ns, binding.Metadata.NamespaceProperty);
            Assert.Equal(ns, binding.Subjects.Single().NamespaceProperty);
            var role = m.Get<V1Role>(binding.RoleRef.Name);
            Assert.Equal("Role", binding.RoleRef.Kind);
            var podRule = Assert.Single(role.Rules, r => r.Resources.Contains("pods") && r.ApiGroups.Contains(""));
            Assert.Equal(["get", "list", "patch", "watch"], podRule.Verbs.Order());
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void The_database_password_comes_only_from_the_Secret_and_no_Secret_is_rendered(string overlay)
    {
        var m = Manifests.Overlay(overlay);
        Assert.Empty(m.All<V1Secret>());
        var secret = ExampleSecret;
        Assert.All(secret.StringData.Values, v => Assert.Equal("", v));
        Assert.Null(secret.Data);

        foreach (var config in m.All<V1ConfigMap>())
        {
            foreach (var (key, value) in config.Data)
            {
                Assert.False(PasswordInConnectionString().IsMatch(value), $"{overlay}: ConfigMap {config.Metadata.Name} key {key} holds a password");
                Assert.False(SecretLikeName().IsMatch(key), $"{overlay}: ConfigMap {config.Metadata.Name} has a key named {key}; secrets belong in the Secret");
            }
        }
        foreach (var pod in m.PodTemplates())
        {
            foreach (var container in pod.Spec.Containers)
            {
                foreach (var variable in container.Env ?? [])
                {
                    // A secret's file (Api__TokenFile) is a path into a mounted Secret volume; anything else comes from a secretKeyRef.
                    if (SecretLikeName().IsMatch(variable.Name) && variable.Name.EndsWith("File", StringComparison.Ordinal))
                        Assert.True(IsSecretFile(pod, container, variable.Value), $"{overlay}: {pod.Owner} {variable.Name}={variable.Value} is not a file of a mounted Secret");
                    else if (SecretLikeName().IsMatch(variable.Name))
                        Assert.True(variable.ValueFrom?.SecretKeyRef is not null, $"{overlay}: {pod.Owner} sets {variable.Name} without a secretKeyRef");
                    if (variable.ValueFrom?.SecretKeyRef is { } reference)
                    {
                        Assert.Equal(secret.Metadata.Name, reference.Name);
                        Assert.Contains(reference.Key, secret.StringData.Keys);
                    }
                    Assert.False(PasswordInConnectionString().IsMatch(variable.Value ?? ""), $"{overlay}: {pod.Owner} {variable.Name} holds a password");
                }
                // Every container that connects to the database gets the password from the Secret, as PGPASSWORD.
                var env = PodEnvironment.Resolve(m, pod.Owner, container, PodOf(pod, "ns"), Secrets("from-the-secret"));
                if (env.Keys.Any(k => k is "Silo__ConnectionString" or "OPATH_CONNECTION_STRING"))
                    Assert.Equal("from-the-secret", env.GetValueOrDefault("PGPASSWORD"));
            }
        }
    }

    [Fact]
    public void The_trial_database_is_the_one_the_connection_string_names()
    {
        var m = Manifests.Overlay("trial");
        var settings = m.FindConfigMap("opath-settings")!.Data;
        var connection = new NpgsqlConnectionStringBuilder(settings["Silo__ConnectionString"]);
        var service = m.Get<V1Service>(connection.Host!);
        Assert.Contains(service.Spec.Ports, p => p.Port == connection.Port);
        var postgres = m.PodTemplates().Single(p => p.IsSelectedBy(service.Spec.Selector));
        var env = PodEnvironment.Resolve(m, postgres.Owner, postgres.Spec.Containers.Single(), PodOf(postgres, "opath-trial"), Secrets("from-the-secret"));
        Assert.Equal(connection.Username, env["POSTGRES_USER"]);
        Assert.Equal(connection.Database, env["POSTGRES_DB"]);
        Assert.Equal("from-the-secret", env["POSTGRES_PASSWORD"]);
        Assert.Null(connection.Password);
    }

    [Fact]
    public void The_external_overlay_runs_no_database_and_points_every_pod_at_the_external_server()
    {
        var m = Manifests.Overlay("external-postgres");
        Assert.DoesNotContain(m.PodTemplates(), p => p.Spec.Containers.Any(c => c.Image.StartsWith("postgres", StringComparison.Ordinal)));
        var connection = new NpgsqlConnectionStringBuilder(m.FindConfigMap("opath-settings")!.Data["Silo__ConnectionString"]);
        Assert.Equal("postgres.example.internal", connection.Host);
        Assert.Equal(SslMode.Require, connection.SslMode);
        Assert.All(m.PodTemplates().SelectMany(p => p.Spec.Containers), c => Assert.StartsWith("registry.example.org/opath/", c.Image));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void GPU_silos_take_whole_GPU_nodes_and_CPU_silos_take_none(string overlay)
    {
        var m = Manifests.Overlay(overlay);
        var gpu = m.Silos().Single(s => s.Owner.StartsWith("StatefulSet/", StringComparison.Ordinal));
        var cpu = m.Silos().Single(s => s.Owner.StartsWith("Deployment/", StringComparison.Ordinal));
        var gpuContainer = gpu.Container("silo");

        var limit = gpuContainer.Resources.Limits["nvidia.com/gpu"];
        Assert.True(limit.ToInt32() >= 1, $"{overlay}: {gpu.Owner} asks for {limit} GPUs");
        if (gpuContainer.Resources.Requests?.TryGetValue("nvidia.com/gpu", out var request) == true)
            Assert.Equal(limit.ToInt32(), request.ToInt32());
        Assert.Contains(gpu.Spec.Tolerations, t => t.Key == "nvidia.com/gpu" && t.OperatorProperty == "Exists");
        Assert.Equal("true", gpu.Spec.NodeSelector["nvidia.com/gpu.present"]);
        var onePerNode = Assert.Single(gpu.Spec.Affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution);
        Assert.Equal("kubernetes.io/hostname", onePerNode.TopologyKey);
        Assert.True(gpu.IsSelectedBy(onePerNode.LabelSelector.MatchLabels));
        Assert.Matches("^(registry.example.org/)?opath/silo-cuda:", gpuContainer.Image);
        // The workers are the pod's GPUs: Workers:Devices is left to the silo, which lists the CUDA devices it sees.
        var env = PodEnvironment.Resolve(m, gpu.Owner, gpuContainer, PodOf(gpu, "ns"), Secrets());
        Assert.DoesNotContain(env.Keys, k => k.StartsWith("Workers__Devices", StringComparison.Ordinal));

        var cpuContainer = cpu.Container("silo");
        Assert.DoesNotContain("nvidia.com/gpu", cpuContainer.Resources.Limits.Keys);
        Assert.DoesNotContain("nvidia.com/gpu", cpuContainer.Resources.Requests.Keys);
        Assert.Null(cpu.Spec.NodeSelector);
        Assert.Matches("^(registry.example.org/)?opath/silo:", cpuContainer.Image);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Probes_and_scrape_annotations_point_at_the_health_port_the_silo_is_told(string overlay)
    {
        var m = Manifests.Overlay(overlay);
        foreach (var silo in m.Silos())
        {
            var container = silo.Container("silo");
            var env = PodEnvironment.Resolve(m, silo.Owner, container, PodOf(silo, "ns"), Secrets());
            var healthPort = int.Parse(env["Silo__HealthPort"]);
            Assert.Equal(healthPort, container.Ports.Single(p => p.Name == "health").ContainerPort);
            foreach (var (probe, path) in new[] { (container.LivenessProbe, "/healthz"), (container.StartupProbe, "/healthz"), (container.ReadinessProbe, "/ready") })
            {
                Assert.NotNull(probe);
                Assert.Equal(path, probe.HttpGet.Path);
                Assert.Equal("health", probe.HttpGet.Port.Value);
            }
            var annotations = silo.Template.Metadata.Annotations;
            Assert.Equal("true", annotations["prometheus.io/scrape"]);
            Assert.Equal(healthPort.ToString(), annotations["prometheus.io/port"]);
            Assert.Equal("/metrics", annotations["prometheus.io/path"]);
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Slides_and_outputs_are_shared_volumes_mounted_alike_and_slides_are_the_only_data_root(string overlay)
    {
        var m = Manifests.Overlay(overlay);
        var claims = m.All<V1PersistentVolumeClaim>().ToDictionary(c => c.Metadata.Name);
        Assert.All(claims.Values, c => Assert.Equal(["ReadWriteMany"], c.Spec.AccessModes));
        var mounts = new Dictionary<string, string>();
        foreach (var pod in m.PodTemplates())
        {
            foreach (var volume in pod.Spec.Volumes ?? [])
            {
                if (volume.PersistentVolumeClaim is not { } claim) continue;
                Assert.True(claims.ContainsKey(claim.ClaimName), $"{overlay}: {pod.Owner} mounts claim {claim.ClaimName}, which is not rendered");
                foreach (var mount in pod.Spec.Containers.SelectMany(c => c.VolumeMounts ?? []).Where(v => v.Name == volume.Name))
                {
                    Assert.Equal(mounts.TryAdd(claim.ClaimName, mount.MountPath) ? mount.MountPath : mounts[claim.ClaimName], mount.MountPath);
                    if (claim.ClaimName == "opath-outputs") Assert.NotEqual(true, mount.ReadOnlyProperty);
                }
            }
        }
        Assert.Equal("/data/slides", mounts["opath-slides"]);
        foreach (var silo in m.Silos())
        {
            var env = PodEnvironment.Resolve(m, silo.Owner, silo.Container("silo"), PodOf(silo, "ns"), Secrets());
            Assert.Equal(mounts["opath-slides"], env["Pathology__DataRoots__0"]);
            Assert.Equal(mounts["opath-outputs"], env["Pathology__DataRoots__1"]);
            Assert.DoesNotContain("Pathology__DataRoots__2", env.Keys);
            Assert.Contains(silo.Container("silo").VolumeMounts, v => v.MountPath == mounts["opath-outputs"]);
        }
    }

    /// <summary>Whether <paramref name="path"/> lies under a read-only mount of a Secret volume of <paramref name="pod"/>.</summary>
    internal static bool IsSecretFile(PodTemplate pod, V1Container container, string? path) =>
        path is not null && (container.VolumeMounts ?? []).Any(m => m.ReadOnlyProperty == true
            && path.StartsWith(m.MountPath.TrimEnd('/') + "/", StringComparison.Ordinal)
            && (pod.Spec.Volumes ?? []).Any(v => v.Name == m.Name && v.Secret is not null));

    [GeneratedRegex("password\\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordInConnectionString();

    [GeneratedRegex("PASSWORD|SECRET|TOKEN|PASSWD", RegexOptions.IgnoreCase)]
    private static partial Regex SecretLikeName();
}
