using System.Runtime.CompilerServices;
using k8s;
using k8s.Models;

namespace OrleansPathology.Tests.Kubernetes;

/// <summary>
/// The <c>k8s/</c> folder of this checkout and its objects as the Kubernetes client's typed models
/// (KubernetesClient's <see cref="KubernetesYaml"/>, strict: an unknown or misspelt field is an error), custom resources
/// included (<see cref="CustomResources"/>).
/// </summary>
internal sealed class Manifests
{
    /// <summary>The overlays that <c>k8s/README.md</c> tells operators to apply.</summary>
    public static readonly string[] Overlays = ["trial", "external-postgres"];

    private static readonly Lazy<string> RootDir = new(() => FindRoot());

    private Manifests(string source, IReadOnlyList<IKubernetesObject> objects)
    {
        Source = source;
        Objects = objects;
    }

    /// <summary>The repository root (where <c>OrleansPathology.sln</c> is).</summary>
    public static string Repository => RootDir.Value;

    public static string K8s => Path.Combine(Repository, "k8s");

    /// <summary>What was rendered or loaded, for messages.</summary>
    public string Source { get; }

    public IReadOnlyList<IKubernetesObject> Objects { get; }

    /// <summary><c>k8s/overlays/NAME</c> rendered and loaded.</summary>
    public static Manifests Overlay(string name)
    {
        var dir = Path.Combine(K8s, "overlays", name);
        var objects = Kustomize.Build(dir).SelectMany(o => Load(Kustomize.ToYaml(o), $"{dir} ({o["kind"]}/{o["metadata"]["name"]})")).ToList();
        return new Manifests($"overlay {name}", objects);
    }

    /// <summary>
    /// <c>k8s/overlays/NAME</c> with the components <c>k8s/components/COMPONENT</c>, rendered as an operator's own
    /// overlay would be: a kustomization in a temporary folder listing the overlay as its resource and the components
    /// (by relative paths, as kustomize requires).
    /// </summary>
    public static Manifests Overlay(string name, params string[] components)
    {
        if (components.Length == 0) return Overlay(name);
        var dir = TestData.NewTempDir("opath-overlay");
        try
        {
            string Relative(params string[] parts) => Path.GetRelativePath(dir, Path.Combine([K8s, .. parts])).Replace('\\', '/');
            System.IO.File.WriteAllText(Path.Combine(dir, "kustomization.yaml"),
                $"resources:\n  - {Relative("overlays", name)}\ncomponents:\n" + string.Concat(components.Select(c => $"  - {Relative("components", c)}\n")));
            var source = $"overlay {name} + {string.Join(" + ", components.Select(c => $"component {c}"))}";
            var objects = Kustomize.Build(dir).SelectMany(o => Load(Kustomize.ToYaml(o), $"{source} ({o["kind"]}/{o["metadata"]["name"]})")).ToList();
            return new Manifests(source, objects);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>One manifest file loaded as it is.</summary>
    public static Manifests File(string path) => new(path, Load(System.IO.File.ReadAllText(path), path));

    /// <summary>Strict load; the message names <paramref name="source"/> when a field or kind is wrong.</summary>
    public static List<IKubernetesObject> Load(string yaml, string source)
    {
        try
        {
            return KubernetesYaml.LoadAllFromString(yaml, CustomResources.TypeMap, strict: true).Cast<IKubernetesObject>().ToList();
        }
        catch (Exception ex) when (ex is YamlDotNet.Core.YamlException or ArgumentException or InvalidOperationException or KeyNotFoundException)
        {
            throw new InvalidDataException($"{source}: not valid Kubernetes YAML: {ex.Message}{(ex.InnerException is null ? "" : $" ({ex.InnerException.Message})")}", ex);
        }
    }

    public IEnumerable<T> All<T>() where T : IKubernetesObject => Objects.OfType<T>();

    public T Get<T>(string name) where T : IKubernetesObject<V1ObjectMeta> =>
        All<T>().SingleOrDefault(o => o.Metadata.Name == name)
        ?? throw new KeyNotFoundException($"{Source}: no {typeof(T).Name} named {name} (has {string.Join(", ", Objects.Select(Describe))})");

    public ConfigMap? FindConfigMap(string name) => All<V1ConfigMap>().Where(c => c.Metadata.Name == name).Select(c => new ConfigMap(c)).SingleOrDefault();

    /// <summary>Every pod template: Deployments, StatefulSets and Jobs.</summary>
    public IEnumerable<PodTemplate> PodTemplates() =>
        All<V1Deployment>().Select(d => new PodTemplate(Describe(d), d.Metadata, d.Spec.Selector, d.Spec.Template))
            .Concat(All<V1StatefulSet>().Select(s => new PodTemplate(Describe(s), s.Metadata, s.Spec.Selector, s.Spec.Template)))
            .Concat(All<V1Job>().Select(j => new PodTemplate(Describe(j), j.Metadata, j.Spec.Selector, j.Spec.Template)));

    /// <summary>The silo pods: those Orleans' Kubernetes hosting recognises by their <c>orleans/serviceId</c> label.</summary>
    public IEnumerable<PodTemplate> Silos() =>
        PodTemplates().Where(p => p.Labels.ContainsKey(Orleans.Hosting.Kubernetes.KubernetesHostingOptions.ServiceIdLabel));

    public static string Describe(IKubernetesObject o) =>
        o is IKubernetesObject<V1ObjectMeta> m ? $"{o.Kind}/{m.Metadata.Name ?? m.Metadata.GenerateName}" : o.Kind;

    /// <summary>Above the test binaries, or (built with an artifacts path elsewhere) above this source file.</summary>
    private static string FindRoot([CallerFilePath] string source = "")
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(source) ?? "" })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (System.IO.File.Exists(Path.Combine(dir.FullName, "OrleansPathology.sln"))) return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException($"OrleansPathology.sln not found above {AppContext.BaseDirectory} or {source}");
    }
}

/// <summary>A ConfigMap's data.</summary>
internal sealed record ConfigMap(V1ConfigMap Map)
{
    public IDictionary<string, string> Data => Map.Data ?? new Dictionary<string, string>();
}

/// <summary>A workload's pod template with the selector that must match it.</summary>
internal sealed record PodTemplate(string Owner, V1ObjectMeta OwnerMetadata, V1LabelSelector? Selector, V1PodTemplateSpec Template)
{
    public IDictionary<string, string> Labels => Template.Metadata?.Labels ?? new Dictionary<string, string>();

    public V1PodSpec Spec => Template.Spec;

    public V1Container Container(string name) =>
        Spec.Containers.SingleOrDefault(c => c.Name == name) ?? throw new KeyNotFoundException($"{Owner} has no container {name}");

    public bool IsSelectedBy(IDictionary<string, string>? selector) =>
        selector is { Count: > 0 } && selector.All(s => Labels.TryGetValue(s.Key, out var v) && v == s.Value);
}
