using YamlDotNet.RepresentationModel;

namespace OrleansPathology.Tests.Kubernetes;

/// <summary>
/// Renders a kustomization the way <c>kubectl kustomize</c> (kustomize v5) does, for the subset of kustomize that
/// <c>k8s/</c> uses: <c>resources</c> (files and kustomization folders), <c>components</c> (folders of
/// <c>kind: Component</c>, applied after the resources to everything accumulated so far), <c>patches</c> with a
/// <c>path</c> (strategic merge on the object the patch names), <c>namespace</c> and <c>images</c>. Anything else in a kustomization is an
/// error naming the file and the key, so a manifest change that needs more of kustomize fails here instead of
/// being checked wrongly. kubectl and kustomize are not installed by CI (Debian ships only kubectl 1.20, whose
/// kustomize is v2); this renderer was checked against kubectl 1.32 / kustomize v5.5 on both overlays.
/// </summary>
internal static class Kustomize
{
    private static readonly HashSet<string> SupportedKeys = ["apiVersion", "kind", "resources", "components", "namespace", "patches", "images"];

    /// <summary>Kinds that have no namespace, so the namespace transformer leaves them alone.</summary>
    private static readonly HashSet<string> ClusterScopedKinds =
        ["Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume", "StorageClass", "PriorityClass", "CustomResourceDefinition"];

    /// <summary>Strategic-merge keys of the lists the patches may touch (from the Kubernetes API's patchMergeKey).</summary>
    private static readonly Dictionary<string, string> MergeKeys = new(StringComparer.Ordinal)
    {
        ["containers"] = "name",
        ["initContainers"] = "name",
        ["env"] = "name",
        ["volumes"] = "name",
        ["volumeMounts"] = "mountPath",
        ["imagePullSecrets"] = "name",
    };

    private const string Kustomization = "Kustomization";
    private const string Component = "Component";

    /// <summary>The objects of the kustomization in <paramref name="directory"/>, every transformation applied.</summary>
    public static List<YamlMappingNode> Build(string directory) => Accumulate(directory, Kustomization, []);

    /// <summary>
    /// kustomize's accumulation: the resources of <paramref name="directory"/> join <paramref name="objects"/>, then its
    /// components, then its patches, namespace and images act on all of them. A Kustomization starts from no objects; a
    /// Component works on those of the kustomization that lists it.
    /// </summary>
    private static List<YamlMappingNode> Accumulate(string directory, string expectedKind, List<YamlMappingNode> objects)
    {
        var file = Path.Combine(directory, "kustomization.yaml");
        if (!File.Exists(file)) throw new FileNotFoundException($"{directory} has no kustomization.yaml", file);
        var kustomization = LoadDocuments(file).Single();
        foreach (var key in kustomization.Children.Keys.Select(Text))
        {
            if (!SupportedKeys.Contains(key)) throw new NotSupportedException($"{file}: kustomize key '{key}' is not supported by the test renderer");
        }
        // As kustomize: a Component listed under resources, or a Kustomization under components, is an error.
        var declared = kustomization.Children.TryGetValue(new YamlScalarNode("kind"), out var k) ? Text(k) : Kustomization;
        if (declared != expectedKind) throw new InvalidDataException($"{file}: expected kind '{expectedKind}' but got '{declared}'");

        foreach (var resource in Strings(kustomization, "resources"))
        {
            var path = Path.GetFullPath(Path.Combine(directory, resource));
            var loaded = Directory.Exists(path) ? Accumulate(path, Kustomization, [])
                : File.Exists(path) ? LoadDocuments(path)
                : throw new FileNotFoundException($"{file}: resource '{resource}' does not exist", path);
            foreach (var item in loaded)
            {
                var id = Id(item);
                if (objects.Any(o => Id(o) == id)) throw new InvalidDataException($"{file}: resource '{resource}' defines {id} a second time");
                objects.Add(item);
            }
        }

        foreach (var component in Strings(kustomization, "components"))
        {
            var path = Path.GetFullPath(Path.Combine(directory, component));
            if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"{file}: component '{component}' is not a folder");
            Accumulate(path, Component, objects);
        }

        foreach (var patch in Entries(kustomization, "patches"))
        {
            var keys = patch.Children.Keys.Select(Text).ToList();
            if (keys is not ["path"]) throw new NotSupportedException($"{file}: a patch with keys [{string.Join(", ", keys)}] is not supported (only path)");
            var patchFile = Path.GetFullPath(Path.Combine(directory, Text(patch.Children[new YamlScalarNode("path")])));
            foreach (var document in LoadDocuments(patchFile))
            {
                var (kind, name) = (Text(document["kind"]), Text(document["metadata"]["name"]));
                var target = objects.SingleOrDefault(o => Text(o["kind"]) == kind && Text(o["metadata"]["name"]) == name && Text(o["apiVersion"]) == Text(document["apiVersion"]))
                    ?? throw new InvalidDataException($"{patchFile}: patches {kind}/{name}, which no resource of {directory} defines");
                Merge(target, document, patchFile);
            }
        }

        if (kustomization.Children.TryGetValue(new YamlScalarNode("namespace"), out var ns))
        {
            foreach (var item in objects) SetNamespace(item, Text(ns));
        }

        foreach (var image in Entries(kustomization, "images"))
        {
            foreach (var key in image.Children.Keys.Select(Text).Where(k => k is not ("name" or "newName" or "newTag")))
                throw new NotSupportedException($"{file}: image key '{key}' is not supported (only name, newName, newTag)");
            var name = Text(image["name"]);
            var newName = image.Children.TryGetValue(new YamlScalarNode("newName"), out var n) ? Text(n) : null;
            var newTag = image.Children.TryGetValue(new YamlScalarNode("newTag"), out var t) ? Text(t) : null;
            foreach (var item in objects) SetImages(item, name, newName, newTag);
        }
        return objects;
    }

    /// <summary>The files a kustomization names as resources or patches (folders excluded), relative to it.</summary>
    public static IEnumerable<string> ReferencedFiles(string directory)
    {
        var kustomization = LoadDocuments(Path.Combine(directory, "kustomization.yaml")).Single();
        return Strings(kustomization, "resources").Where(r => File.Exists(Path.Combine(directory, r)))
            .Concat(Entries(kustomization, "patches").Select(p => Text(p["path"])));
    }

    /// <summary>Every YAML document of <paramref name="file"/> as a mapping; an empty document is skipped.</summary>
    public static List<YamlMappingNode> LoadDocuments(string file)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(file)) stream.Load(reader);
        return stream.Documents.Where(d => d.RootNode is not YamlScalarNode { Value: null or "" })
            .Select(d => d.RootNode as YamlMappingNode ?? throw new InvalidDataException($"{file}: a document is not a mapping"))
            .ToList();
    }

    /// <summary>One object as a YAML document, scalar styles kept (a quoted "1" stays a string).</summary>
    public static string ToYaml(YamlMappingNode node)
    {
        using var writer = new StringWriter();
        new YamlStream(new YamlDocument(node)).Save(writer, assignAnchors: false);
        return writer.ToString();
    }

    private static string Id(YamlMappingNode o) => $"{Text(o["kind"])}/{Text(o["metadata"]["name"])}";

    private static string Text(YamlNode node) =>
        (node as YamlScalarNode)?.Value ?? throw new InvalidDataException($"expected a scalar at line {node.Start.Line}, found {node.NodeType}");

    private static IEnumerable<string> Strings(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var list) ? ((YamlSequenceNode)list).Children.Select(Text) : [];

    private static IEnumerable<YamlMappingNode> Entries(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var list) ? ((YamlSequenceNode)list).Children.Cast<YamlMappingNode>() : [];

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: null or "" or "null" or "~" };

    /// <summary>Strategic merge: maps merge key by key, a null deletes, lists with a merge key merge item by item, other lists are replaced.</summary>
    private static void Merge(YamlMappingNode target, YamlMappingNode patch, string patchFile)
    {
        foreach (var (keyNode, value) in patch.Children)
        {
            var key = Text(keyNode);
            if (key.StartsWith('$')) throw new NotSupportedException($"{patchFile}: directive '{key}' is not supported");
            if (IsNull(value))
            {
                target.Children.Remove(keyNode);
                continue;
            }
            if (!target.Children.TryGetValue(keyNode, out var existing))
            {
                target.Children[keyNode] = value;
                continue;
            }
            if (existing is YamlMappingNode targetMap && value is YamlMappingNode patchMap)
            {
                Merge(targetMap, patchMap, patchFile);
            }
            else if (existing is YamlSequenceNode targetList && value is YamlSequenceNode patchList && MergeKeys.TryGetValue(key, out var mergeKey))
            {
                foreach (var item in patchList.Children.Cast<YamlMappingNode>())
                {
                    var id = Text(item[mergeKey]);
                    var match = targetList.Children.Cast<YamlMappingNode>().FirstOrDefault(t => Text(t[mergeKey]) == id);
                    if (match is null) targetList.Children.Add(item);
                    else Merge(match, item, patchFile);
                }
            }
            else
            {
                target.Children[keyNode] = value;
            }
        }
    }

    /// <summary>kustomize's namespace transformer: namespaced objects, and ServiceAccount subjects left without one (or "default").</summary>
    private static void SetNamespace(YamlMappingNode item, string ns)
    {
        var kind = Text(item["kind"]);
        if (!ClusterScopedKinds.Contains(kind)) ((YamlMappingNode)item["metadata"]).Children[new YamlScalarNode("namespace")] = new YamlScalarNode(ns);
        if (kind is "RoleBinding" or "ClusterRoleBinding" && item.Children.TryGetValue(new YamlScalarNode("subjects"), out var subjects))
        {
            foreach (var subject in ((YamlSequenceNode)subjects).Children.Cast<YamlMappingNode>().Where(s => Text(s["kind"]) == "ServiceAccount"))
            {
                var current = subject.Children.TryGetValue(new YamlScalarNode("namespace"), out var n) ? Text(n) : "";
                if (current is "" or "default") subject.Children[new YamlScalarNode("namespace")] = new YamlScalarNode(ns);
            }
        }
    }

    /// <summary>kustomize's image transformer on every container and init container anywhere in the object.</summary>
    private static void SetImages(YamlNode node, string name, string? newName, string? newTag)
    {
        switch (node)
        {
            case YamlMappingNode map:
                foreach (var (key, value) in map.Children.ToList())
                {
                    if (Text(key) is "containers" or "initContainers" && value is YamlSequenceNode containers)
                    {
                        foreach (var container in containers.Children.Cast<YamlMappingNode>())
                        {
                            var image = Text(container["image"]);
                            var slash = image.LastIndexOf('/');
                            var colon = image.IndexOf(':', slash + 1);
                            var (repository, tag) = colon < 0 ? (image, null) : (image[..colon], image[(colon + 1)..]);
                            if (repository != name) continue;
                            var result = (newName ?? repository) + ((newTag ?? tag) is { } t ? ":" + t : "");
                            container.Children[new YamlScalarNode("image")] = new YamlScalarNode(result);
                        }
                    }
                    else
                    {
                        SetImages(value, name, newName, newTag);
                    }
                }
                break;
            case YamlSequenceNode list:
                foreach (var child in list.Children) SetImages(child, name, newName, newTag);
                break;
        }
    }
}
