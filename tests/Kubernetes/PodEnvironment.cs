using System.Text;
using k8s.Models;

namespace OrleansPathology.Tests.Kubernetes;

/// <summary>A pod as the kubelet would start it: its name, namespace, IP and labels.</summary>
internal sealed record PodInstance(string Name, string Namespace, string IP, IDictionary<string, string> Labels);

/// <summary>
/// The environment a container gets, computed as the kubelet does it: <c>envFrom</c> first, then <c>env</c> in order,
/// each <c>$(NAME)</c> in a value replaced by an earlier variable (<c>$$</c> escapes, an unknown name stays as
/// written); <c>fieldRef</c> from the pod, <c>configMapKeyRef</c> from the rendered ConfigMaps, <c>secretKeyRef</c>
/// from <paramref name="secrets"/>. A reference to a ConfigMap, Secret or key that does not exist is an error
/// naming the container and the variable, as it would stop the pod from starting; an <c>optional</c>
/// <c>configMapKeyRef</c> to a missing key leaves the variable unset, as the kubelet does.
/// </summary>
internal static class PodEnvironment
{
    public static Dictionary<string, string> Resolve(
        Manifests manifests, string owner, V1Container container, PodInstance pod,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> secrets)
    {
        var where = $"{manifests.Source}: {owner} container {container.Name}";
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in container.EnvFrom ?? [])
        {
            if (source.ConfigMapRef is { } configMapRef)
            {
                var map = manifests.FindConfigMap(configMapRef.Name) ?? throw new KeyNotFoundException($"{where}: envFrom ConfigMap {configMapRef.Name} is not rendered");
                foreach (var (key, value) in map.Data) env[(source.Prefix ?? "") + key] = value;
            }
            else
            {
                throw new NotSupportedException($"{where}: envFrom other than configMapRef is not resolved by the tests");
            }
        }

        foreach (var variable in container.Env ?? [])
        {
            if (variable.ValueFrom?.ConfigMapKeyRef is { Optional: true } optional
                && manifests.FindConfigMap(optional.Name)?.Data.ContainsKey(optional.Key) != true)
                continue;
            env[variable.Name] = variable.ValueFrom switch
            {
                null => Expand(variable.Value ?? "", env),
                { FieldRef: { } field } => Field(field.FieldPath, pod, where, variable.Name),
                { ConfigMapKeyRef: { } key } => manifests.FindConfigMap(key.Name)?.Data.TryGetValue(key.Key, out var v) == true
                    ? v : throw new KeyNotFoundException($"{where}: {variable.Name} reads key {key.Key} of ConfigMap {key.Name}, which is not rendered"),
                { SecretKeyRef: { } key } => secrets.TryGetValue(key.Name, out var secret) && secret.TryGetValue(key.Key, out var s)
                    ? s : throw new KeyNotFoundException($"{where}: {variable.Name} reads key {key.Key} of Secret {key.Name}, which the example Secret does not define"),
                _ => throw new NotSupportedException($"{where}: {variable.Name} has a valueFrom the tests do not resolve"),
            };
        }
        return env;
    }

    /// <summary>Kubernetes' <c>$(VAR)</c> expansion of a value or an argument.</summary>
    public static string Expand(string value, IReadOnlyDictionary<string, string> env)
    {
        var result = new StringBuilder();
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '$' && i + 1 < value.Length && value[i + 1] == '$')
            {
                result.Append('$');
                i++;
            }
            else if (value[i] == '$' && i + 1 < value.Length && value[i + 1] == '(' && value.IndexOf(')', i + 2) is var close and > 0
                     && env.TryGetValue(value[(i + 2)..close], out var replacement))
            {
                result.Append(replacement);
                i = close;
            }
            else
            {
                result.Append(value[i]);
            }
        }
        return result.ToString();
    }

    private static string Field(string path, PodInstance pod, string where, string name) => path switch
    {
        "metadata.name" => pod.Name,
        "metadata.namespace" => pod.Namespace,
        "status.podIP" => pod.IP,
        _ when path.StartsWith("metadata.labels['", StringComparison.Ordinal) && path.EndsWith("']", StringComparison.Ordinal) =>
            pod.Labels.TryGetValue(path["metadata.labels['".Length..^2], out var label) ? label
            : throw new KeyNotFoundException($"{where}: {name} reads {path}, a label the pod does not have"),
        _ => throw new NotSupportedException($"{where}: {name} reads field {path}, which the tests do not resolve"),
    };
}
