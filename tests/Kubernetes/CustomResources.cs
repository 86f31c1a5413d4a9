using k8s;
using k8s.Models;

namespace OrleansPathology.Tests.Kubernetes;

/// <summary>
/// The custom resources <c>k8s/</c> ships (KEDA's ScaledObject, the Prometheus Operator's PodMonitor) as typed models, so
/// <see cref="Manifests.Load"/> reads them as strictly as the built-in kinds: a misspelt field is an error. Only the
/// fields the manifests use are modelled (from keda.sh/v1alpha1 and monitoring.coreos.com/v1); a field added to a
/// manifest must be added here too, which is the point.
/// </summary>
internal static class CustomResources
{
    /// <summary><c>apiVersion/kind</c> to model, merged into KubernetesClient's own map.</summary>
    public static readonly Dictionary<string, Type> TypeMap = new(StringComparer.Ordinal)
    {
        ["keda.sh/v1alpha1/ScaledObject"] = typeof(KedaScaledObject),
        ["monitoring.coreos.com/v1/PodMonitor"] = typeof(PodMonitor),
    };
}

/// <summary>KEDA's ScaledObject (keda.sh/v1alpha1).</summary>
internal sealed class KedaScaledObject : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "";
    public string Kind { get; set; } = "";
    public V1ObjectMeta Metadata { get; set; } = new();
    public ScaledObjectSpec Spec { get; set; } = new();
}

internal sealed class ScaledObjectSpec
{
    public ScaleTarget ScaleTargetRef { get; set; } = new();
    public int? PollingInterval { get; set; }
    public int? CooldownPeriod { get; set; }
    public int? MinReplicaCount { get; set; }
    public int? MaxReplicaCount { get; set; }
    public ScaledObjectAdvanced? Advanced { get; set; }
    public List<ScaleTrigger> Triggers { get; set; } = [];
}

internal sealed class ScaleTarget
{
    public string? ApiVersion { get; set; }
    public string? Kind { get; set; }
    public string Name { get; set; } = "";
}

internal sealed class ScaledObjectAdvanced
{
    public HorizontalPodAutoscalerConfig? HorizontalPodAutoscalerConfig { get; set; }
    public bool? RestoreToOriginalReplicaCount { get; set; }
}

internal sealed class HorizontalPodAutoscalerConfig
{
    public string? Name { get; set; }
    public V2HorizontalPodAutoscalerBehavior? Behavior { get; set; }
}

internal sealed class ScaleTrigger
{
    public string Type { get; set; } = "";
    public string? Name { get; set; }
    public string? MetricType { get; set; }
    public Dictionary<string, string> Metadata { get; set; } = [];
}

/// <summary>The Prometheus Operator's PodMonitor (monitoring.coreos.com/v1).</summary>
internal sealed class PodMonitor : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "";
    public string Kind { get; set; } = "";
    public V1ObjectMeta Metadata { get; set; } = new();
    public PodMonitorSpec Spec { get; set; } = new();
}

internal sealed class PodMonitorSpec
{
    public V1LabelSelector Selector { get; set; } = new();
    public List<PodMetricsEndpoint> PodMetricsEndpoints { get; set; } = [];
    public string? JobLabel { get; set; }
}

internal sealed class PodMetricsEndpoint
{
    public string? Port { get; set; }
    public string? Path { get; set; }
    public string? Interval { get; set; }
    public string? Scheme { get; set; }
}
