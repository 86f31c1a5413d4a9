using System.Text.Json;
using System.Text.RegularExpressions;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using OrleansPathology.Grains.Telemetry;
using OrleansPathology.Silo.Hosting;
using OrleansPathology.Tests.Telemetry;
using YamlDotNet.RepresentationModel;

namespace OrleansPathology.Tests.Kubernetes;

/// <summary>
/// What an operator applies beside the overlays (<c>k8s/autoscaling</c>, <c>k8s/monitoring</c>, the training Job
/// template, the API token Secret): each names the objects and labels the overlays render, and every query of the
/// Grafana board and the autoscalers names a metric a real silo exports (scraped from <see cref="TelemetrySiloFixture"/>).
/// </summary>
[Collection(TelemetrySiloCollection.Name)]
public sealed partial class OperatingManifestTests(TelemetrySiloFixture silo)
{
    /// <summary>
    /// The cluster-wide work and per-device utilisation gauges, built with the cluster API of issue 14 (branch
    /// issue-14api) and not on this branch: the board and the autoscalers query them by these names.
    /// </summary>
    private static readonly string[] ScalingMetrics = ["opath_work_pending_batches", "opath_work_pending_cells", "opath_device_utilization"];

    private const string PendingBatches = "opath_work_pending_batches";

    private static string Autoscaling(string file) => Path.Combine(Manifests.K8s, "autoscaling", file);

    private static string Monitoring(string file) => Path.Combine(Manifests.K8s, "monitoring", file);

    [Fact]
    public void Both_autoscalers_scale_the_GPU_StatefulSet_on_pending_batches_and_take_pods_away_one_drain_at_a_time()
    {
        var keda = Assert.IsType<KedaScaledObject>(Assert.Single(Manifests.File(Autoscaling("keda-scaledobject.yaml")).Objects));
        var adapterFile = Manifests.File(Autoscaling("hpa-prometheus-adapter.yaml"));
        var hpa = Assert.Single(adapterFile.All<V2HorizontalPodAutoscaler>());
        foreach (var overlay in Manifests.Overlays)
        {
            var m = Manifests.Overlay(overlay);
            var set = m.Get<V1StatefulSet>(keda.Spec.ScaleTargetRef.Name);
            var gpu = m.Silos().Single(s => s.Owner == Manifests.Describe(set));
            Assert.Equal(("apps/v1", "StatefulSet"), (keda.Spec.ScaleTargetRef.ApiVersion, keda.Spec.ScaleTargetRef.Kind));
            Assert.Equal(("apps/v1", "StatefulSet", set.Metadata.Name), (hpa.Spec.ScaleTargetRef.ApiVersion, hpa.Spec.ScaleTargetRef.Kind, hpa.Spec.ScaleTargetRef.Name));
            // Labelled as the workload they scale.
            Assert.True(gpu.IsSelectedBy(keda.Metadata.Labels), $"the ScaledObject's labels are not the GPU silos'");
            Assert.True(gpu.IsSelectedBy(hpa.Metadata.Labels), $"the HPA's labels are not the GPU silos'");
            Assert.True(keda.Spec.MaxReplicaCount >= set.Spec.Replicas, $"{overlay}: KEDA caps the GPU silos at {keda.Spec.MaxReplicaCount}, below the overlay's {set.Spec.Replicas}");

            // Scale-down takes one pod per period, no faster than a pod drains and goes (its whole grace period),
            // which is also what the PodDisruptionBudget allows.
            var grace = gpu.Spec.TerminationGracePeriodSeconds!.Value;
            var budget = m.All<V1PodDisruptionBudget>().Single(b => gpu.IsSelectedBy(b.Spec.Selector.MatchLabels));
            Assert.Equal("1", budget.Spec.MaxUnavailable.Value);
            foreach (var (who, behavior) in new[] { ("KEDA", keda.Spec.Advanced!.HorizontalPodAutoscalerConfig!.Behavior!), ("HPA", hpa.Spec.Behavior) })
            {
                var down = behavior.ScaleDown;
                Assert.All(down.Policies, p => Assert.True(p is { Type: "Pods", Value: 1 } && p.PeriodSeconds >= grace,
                    $"{who}: scale-down policy {p.Type} {p.Value}/{p.PeriodSeconds} s removes pods faster than one per {grace} s grace period"));
                Assert.True(down.StabilizationWindowSeconds >= grace, $"{who}: a scale-down stabilisation of {down.StabilizationWindowSeconds} s is shorter than a drain");
            }
        }

        // The trigger and the external metric: pending batches, the max over the pods (every silo exports the cluster's value).
        var trigger = Assert.Single(keda.Spec.Triggers);
        Assert.Equal("prometheus", trigger.Type);
        Assert.Equal([PendingBatches], MetricNames(trigger.Metadata["query"]));
        Assert.StartsWith("max(", trigger.Metadata["query"]);
        Assert.True(Uri.TryCreate(trigger.Metadata["serverAddress"], UriKind.Absolute, out _));
        var external = Assert.Single(hpa.Spec.Metrics).External;
        Assert.Equal(PendingBatches, external.Metric.Name);
        Assert.Equal("AverageValue", external.Target.Type);
        // The two alternatives agree: same bounds, same batches per pod.
        Assert.Equal((keda.Spec.MinReplicaCount, keda.Spec.MaxReplicaCount), (hpa.Spec.MinReplicas, hpa.Spec.MaxReplicas));
        Assert.Equal(decimal.Parse(trigger.Metadata["threshold"]), external.Target.AverageValue.ToDecimal());
        Assert.InRange(keda.Spec.MinReplicaCount!.Value, 0, keda.Spec.MaxReplicaCount!.Value);

        // prometheus-adapter's rule serves the HPA's metric from the silos' series.
        var adapter = adapterFile.All<V1ConfigMap>().Single();
        var config = new YamlStream();
        config.Load(new StringReader(adapter.Data["config.yaml"]));
        var rule = (YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)config.Documents.Single().RootNode)["externalRules"]).Children.Single();
        Assert.Equal([PendingBatches], MetricNames(((YamlScalarNode)rule["seriesQuery"]).Value!));
        Assert.Equal(PendingBatches, ((YamlScalarNode)((YamlMappingNode)rule["name"])["as"]).Value);
        Assert.StartsWith("max(", ((YamlScalarNode)rule["metricsQuery"]).Value);
    }

    [Fact]
    public void The_PodMonitor_scrapes_every_silo_and_nothing_else_where_its_scrape_annotations_point()
    {
        var monitor = Assert.IsType<PodMonitor>(Assert.Single(Manifests.File(Monitoring("podmonitor.yaml")).Objects));
        var endpoint = Assert.Single(monitor.Spec.PodMetricsEndpoints);
        Assert.Equal(HealthHosting.MetricsPath, endpoint.Path);
        foreach (var overlay in Manifests.Overlays)
        {
            var m = Manifests.Overlay(overlay);
            var silos = m.Silos().ToList();
            Assert.Equal(silos.Select(s => s.Owner).Order(), m.PodTemplates().Where(p => Selects(monitor.Spec.Selector, p)).Select(p => p.Owner).Order());
            foreach (var pod in silos)
            {
                var port = pod.Container("silo").Ports.Single(p => p.Name == endpoint.Port);
                Assert.Equal(pod.Template.Metadata.Annotations["prometheus.io/port"], port.ContainerPort.ToString());
                Assert.Equal(pod.Template.Metadata.Annotations["prometheus.io/path"], endpoint.Path);
            }
        }
    }

    [Fact]
    public async Task Every_query_of_the_Grafana_board_and_the_autoscalers_names_a_metric_a_real_silo_exports()
    {
        // The silo scored a cohort (tiles, batches, a failed slide); what that run did not do (a training step, a batch
        // leased again) is recorded on its instruments as trainers and slide grains record it.
        var instruments = silo.App.Services.GetRequiredService<PathologyMetrics>();
        instruments.RecordTrainingStep(0.69, 32, 0.5, "telemetry-node/cpu:0");
        instruments.BatchRetried("lease_expired");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{silo.HealthPort}") };
        var exported = ExportedNames(await http.GetStringAsync(HealthHosting.MetricsPath));

        var board = JsonDocument.Parse(File.ReadAllText(Monitoring("grafana-dashboard.json"))).RootElement;
        Assert.False(string.IsNullOrWhiteSpace(board.GetProperty("title").GetString()));
        Assert.Matches("^[a-z0-9-]{1,40}$", board.GetProperty("uid").GetString());
        var panels = board.GetProperty("panels").EnumerateArray().ToList();
        Assert.Equal(panels.Count, panels.Select(p => p.GetProperty("id").GetInt32()).Distinct().Count());
        var queries = new List<(string Where, string Expr)>();
        foreach (var panel in panels)
        {
            var targets = panel.GetProperty("targets").EnumerateArray().ToList();
            Assert.NotEmpty(targets);
            queries.AddRange(targets.Select(t => ($"panel '{panel.GetProperty("title").GetString()}' {t.GetProperty("refId").GetString()}", t.GetProperty("expr").GetString()!)));
        }
        foreach (var variable in board.GetProperty("templating").GetProperty("list").EnumerateArray().Where(v => v.GetProperty("type").GetString() == "query"))
            queries.Add(($"variable {variable.GetProperty("name").GetString()}", LabelValuesMetric().Match(variable.GetProperty("definition").GetString()!).Groups[1].Value));
        var keda = Assert.IsType<KedaScaledObject>(Assert.Single(Manifests.File(Autoscaling("keda-scaledobject.yaml")).Objects));
        queries.Add(("KEDA trigger", keda.Spec.Triggers.Single().Metadata["query"]));

        var named = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (where, expr) in queries)
        {
            var metrics = MetricNames(expr);
            Assert.True(metrics.Count > 0, $"{where}: '{expr}' names no metric");
            foreach (var metric in metrics)
            {
                named.Add(metric);
                Assert.True(exported.Contains(metric) || ScalingMetrics.Contains(metric),
                    $"{where}: '{expr}' queries {metric}, which a silo does not export (it exports {string.Join(", ", exported.Where(e => e.StartsWith("opath_", StringComparison.Ordinal)).Order())})");
            }
        }
        // The board shows what the issue asks for: pending work, utilisation, cells/s, batch latency, slides, training loss.
        Assert.Superset(new HashSet<string>(
        [
            .. ScalingMetrics, "opath_tiles_total", "opath_batch_duration_seconds_bucket", "opath_slides_completed_total",
            "opath_slides_failed_total", "opath_training_loss",
        ]), named);
    }

    [Fact]
    public async Task The_scaling_gauges_the_board_and_the_autoscalers_query_are_exported_by_a_real_silo()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{silo.HealthPort}") };
        var exported = ExportedNames(await http.GetStringAsync(HealthHosting.MetricsPath));

        Assert.Superset(ScalingMetrics.ToHashSet(), exported);
    }

    [Fact]
    public void The_training_job_template_runs_opath_train_against_the_overlays_silos_and_writes_to_the_outputs_volume()
    {
        var m = Manifests.Overlay("trial");
        var job = Assert.IsType<V1Job>(Assert.Single(Manifests.File(Path.Combine(Manifests.K8s, "jobs", "train-model.yaml")).Objects));
        var submit = Assert.IsType<V1Job>(Assert.Single(Manifests.File(Path.Combine(Manifests.K8s, "jobs", "submit-cohort.yaml")).Objects));
        Assert.Null(job.Metadata.Name);
        Assert.Equal("opath-train-", job.Metadata.GenerateName);
        var train = job.Spec.Template.Spec.Containers.Single();
        var env = (train.Env ?? []).Where(e => e.Value is not null).ToDictionary(e => e.Name, e => e.Value);
        var args = PodSettingsTests.AssertParses(["train"], train.Args, env);
        Assert.Equal("postgres", args[Array.IndexOf(args, "--cluster") + 1]);
        Assert.Equal(env["RUN"], args[Array.IndexOf(args, "--id") + 1]);
        Assert.StartsWith("/data/slides/", args[1]);

        // The dataset on the slides volume the trainers read; weights and checkpoints on the outputs volume, writable.
        var silo = m.Silos().Single(s => s.Owner == "StatefulSet/opath-silo-gpu");
        string ClaimAt(V1PodSpec pod, V1Container container, string path) =>
            pod.Volumes.Single(v => v.Name == container.VolumeMounts.Single(vm => vm.MountPath == path).Name).PersistentVolumeClaim.ClaimName;
        Assert.Equal(ClaimAt(silo.Spec, silo.Container("silo"), "/data/slides"), ClaimAt(job.Spec.Template.Spec, train, "/data/slides"));
        Assert.Equal(ClaimAt(silo.Spec, silo.Container("silo"), "/data/outputs"), ClaimAt(job.Spec.Template.Spec, train, "/data/outputs"));
        Assert.NotEqual(true, train.VolumeMounts.Single(v => v.MountPath == "/data/outputs").ReadOnlyProperty);
        Assert.StartsWith("/data/outputs/", args[Array.IndexOf(args, "--out") + 1]);
        Assert.StartsWith("/data/outputs/", args[Array.IndexOf(args, "--run-dir") + 1]);

        // The cluster connection exactly as the submit job's (settings, password, ids, TLS), and the same image.
        var submitContainer = submit.Spec.Template.Spec.Containers.Single();
        Assert.Equal((submitContainer.Env ?? []).Where(e => e.ValueFrom is not null || e.Name.StartsWith("Silo__", StringComparison.Ordinal)).Select(Describe),
            (train.Env ?? []).Where(e => e.ValueFrom is not null || e.Name.StartsWith("Silo__", StringComparison.Ordinal)).Select(Describe));
        Assert.Equal(submitContainer.Image, train.Image);
        Assert.Equal(job.Metadata.Labels, job.Spec.Template.Metadata.Labels);
    }

    [Theory]
    [MemberData(nameof(OverlayTests.Overlays), MemberType = typeof(OverlayTests))]
    public void Every_silo_reads_the_API_token_from_the_operators_Secret_and_no_token_is_rendered(string overlay)
    {
        var example = Assert.IsType<V1Secret>(Assert.Single(Manifests.File(Path.Combine(Manifests.K8s, "examples", "api-token-secret.yaml")).Objects));
        var key = Assert.Single(example.StringData).Key;
        Assert.Equal("", example.StringData[key]);
        var m = Manifests.Overlay(overlay);
        Assert.Empty(m.All<V1Secret>());
        foreach (var silo in m.Silos())
        {
            var container = silo.Container("silo");
            var env = PodEnvironment.Resolve(m, silo.Owner, container, OverlayTests.PodOf(silo, "ns"), OverlayTests.Secrets());
            Assert.DoesNotContain("Api__Token", env.Keys);
            var file = env["Api__TokenFile"];
            var volume = silo.Spec.Volumes.Single(v => v.Secret?.SecretName == example.Metadata.Name);
            var mount = container.VolumeMounts.Single(v => v.Name == volume.Name);
            // The file the silo reads is the Secret's key, projected read-only, and the pod waits for the Secret.
            Assert.Equal($"{mount.MountPath}/{key}", file);
            Assert.True(mount.ReadOnlyProperty);
            Assert.NotEqual(true, volume.Secret.Optional);
            Assert.Null(volume.Secret.Items);
            Assert.True(OverlayTests.IsSecretFile(silo, container, file));
        }
    }

    /// <summary>The metric names of a PromQL expression: its identifiers, less functions, keywords, label matchers, groupings and ranges.</summary>
    internal static IReadOnlyList<string> MetricNames(string expr)
    {
        var bare = Ranges().Replace(Groupings().Replace(Matchers().Replace(expr, " "), " "), " ");
        return Identifiers().Matches(bare).Select(i => i.Value)
            .Where(i => !PromQlKeywords.Contains(i) && !Regex.IsMatch(bare, $@"\b{Regex.Escape(i)}\s*\("))
            .Distinct().ToList();
    }

    private static readonly HashSet<string> PromQlKeywords = ["by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset", "le"];

    /// <summary>The metric names of a Prometheus text exposition (the sample lines' names, histogram series included).</summary>
    private static HashSet<string> ExportedNames(string exposition) =>
        exposition.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => SampleName().Match(l).Value).ToHashSet(StringComparer.Ordinal);

    private static string Describe(V1EnvVar e) =>
        $"{e.Name}={e.Value}|{e.ValueFrom?.ConfigMapKeyRef?.Name}/{e.ValueFrom?.ConfigMapKeyRef?.Key}|{e.ValueFrom?.SecretKeyRef?.Name}/{e.ValueFrom?.SecretKeyRef?.Key}";

    private static bool Selects(V1LabelSelector selector, PodTemplate pod) =>
        (selector.MatchLabels is null || selector.MatchLabels.All(l => pod.Labels.TryGetValue(l.Key, out var v) && v == l.Value))
        && (selector.MatchExpressions ?? []).All(e => e.OperatorProperty switch
        {
            "In" => pod.Labels.TryGetValue(e.Key, out var v) && e.Values.Contains(v),
            "NotIn" => !pod.Labels.TryGetValue(e.Key, out var v) || !e.Values.Contains(v),
            "Exists" => pod.Labels.ContainsKey(e.Key),
            "DoesNotExist" => !pod.Labels.ContainsKey(e.Key),
            _ => throw new NotSupportedException($"selector operator {e.OperatorProperty}"),
        });

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Matchers();

    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Groupings();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Ranges();

    [GeneratedRegex(@"(?<![\w.""'$])[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex Identifiers();

    [GeneratedRegex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex SampleName();

    [GeneratedRegex(@"label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)")]
    private static partial Regex LabelValuesMetric();
}
