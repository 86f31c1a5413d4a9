using k8s.Models;

namespace OrleansPathology.Tests.Kubernetes;

/// <summary>Every file in <c>k8s/</c>: valid Kubernetes objects, each one used, and the renderer's own guard rails.</summary>
public sealed class ManifestFileTests
{
    private static IEnumerable<string> ManifestFiles() =>
        Directory.EnumerateFiles(Manifests.K8s, "*.yaml", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != "kustomization.yaml")
            .Order(StringComparer.Ordinal);

    [Fact]
    public void Every_manifest_and_patch_loads_strictly_as_Kubernetes_objects()
    {
        var files = ManifestFiles().ToList();
        Assert.True(files.Count >= 15, $"expected the k8s/ manifests, found {files.Count} files");
        foreach (var file in files)
        {
            var objects = Manifests.File(file).Objects;
            Assert.True(objects.Count > 0, $"{file} holds no object");
            Assert.All(objects, o => Assert.False(string.IsNullOrEmpty(o.Kind), $"{file}: an object without a kind"));
        }
    }

    [Fact]
    public void Every_file_beside_a_kustomization_is_one_of_its_resources_or_patches()
    {
        foreach (var kustomization in Directory.EnumerateFiles(Manifests.K8s, "kustomization.yaml", SearchOption.AllDirectories))
        {
            var dir = Path.GetDirectoryName(kustomization)!;
            var referenced = Kustomize.ReferencedFiles(dir).ToHashSet(StringComparer.Ordinal);
            foreach (var file in Directory.EnumerateFiles(dir, "*.yaml").Select(f => Path.GetFileName(f)).Where(f => f != "kustomization.yaml"))
            {
                Assert.True(referenced.Contains(file), $"{Path.Combine(dir, file)} is neither a resource nor a patch of {kustomization}: it would never be applied");
            }
        }
    }

    [Fact]
    public void A_misspelt_field_is_reported_with_its_file()
    {
        var yaml = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: x
            datas:
              a: b
            """;

        var error = Assert.Throws<InvalidDataException>(() => Manifests.Load(yaml, "k8s/base/typo.yaml"));

        Assert.StartsWith("k8s/base/typo.yaml: not valid Kubernetes YAML", error.Message);
        Assert.Contains("datas", error.Message);
    }

    [Fact]
    public void A_patch_of_an_object_the_kustomization_lacks_fails_naming_the_patch()
    {
        var dir = TestData.NewTempDir("opath-kustomize");
        try
        {
            File.WriteAllText(Path.Combine(dir, "kustomization.yaml"), "resources: [config.yaml]\npatches:\n  - path: patch.yaml\n");
            File.WriteAllText(Path.Combine(dir, "config.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: b\n");
            File.WriteAllText(Path.Combine(dir, "patch.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: setings\ndata:\n  a: c\n");

            var error = Assert.Throws<InvalidDataException>(() => Kustomize.Build(dir));

            Assert.Equal($"{Path.Combine(dir, "patch.yaml")}: patches ConfigMap/setings, which no resource of {dir} defines", error.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_component_patches_what_the_listing_kustomization_accumulated_and_is_no_resource()
    {
        var dir = TestData.NewTempDir("opath-kustomize");
        try
        {
            string Folder(string name, string kustomization)
            {
                var folder = Directory.CreateDirectory(Path.Combine(dir, name)).FullName;
                File.WriteAllText(Path.Combine(folder, "kustomization.yaml"), kustomization);
                return folder;
            }
            Folder("base", "resources: [config.yaml]\n");
            File.WriteAllText(Path.Combine(dir, "base", "config.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: b\n");
            Folder("extra", "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n  - path: patch.yaml\n");
            File.WriteAllText(Path.Combine(dir, "extra", "patch.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  c: d\n");
            var overlay = Folder("overlay", "namespace: ns1\nresources: [../base]\ncomponents: [../extra]\n");
            var misplaced = Folder("misplaced", "resources: [../extra]\n");
            var notComponent = Folder("not-component", "resources: [../base]\ncomponents: [../overlay]\n");

            var config = Assert.IsType<V1ConfigMap>(Assert.Single(Kustomize.Build(overlay).SelectMany(o => Manifests.Load(Kustomize.ToYaml(o), "test"))));
            var asResource = Assert.Throws<InvalidDataException>(() => Kustomize.Build(misplaced));
            var asComponent = Assert.Throws<InvalidDataException>(() => Kustomize.Build(notComponent));

            Assert.Equal(["a=b", "c=d"], config.Data.Select(d => $"{d.Key}={d.Value}"));
            Assert.Equal("ns1", config.Metadata.NamespaceProperty);
            Assert.Equal($"{Path.Combine(dir, "extra", "kustomization.yaml")}: expected kind 'Kustomization' but got 'Component'", asResource.Message);
            Assert.Equal($"{Path.Combine(dir, "overlay", "kustomization.yaml")}: expected kind 'Component' but got 'Kustomization'", asComponent.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Strategic_merge_patches_merge_containers_and_env_by_name_and_replace_other_lists()
    {
        var dir = TestData.NewTempDir("opath-kustomize");
        try
        {
            File.WriteAllText(Path.Combine(dir, "kustomization.yaml"), "namespace: ns1\nresources: [deploy.yaml]\npatches:\n  - path: patch.yaml\nimages:\n  - name: app\n    newName: reg.example/app\n    newTag: \"2\"\n");
            File.WriteAllText(Path.Combine(dir, "deploy.yaml"), """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: d}
                spec:
                  selector: {matchLabels: {a: b}}
                  template:
                    metadata: {labels: {a: b}}
                    spec:
                      tolerations: [{key: one, operator: Exists}]
                      containers:
                        - name: main
                          image: app:1
                          args: [x, y]
                          env: [{name: A, value: "1"}, {name: B, value: "2"}]
                        - name: side
                          image: other:1
                """);
            File.WriteAllText(Path.Combine(dir, "patch.yaml"), """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: d}
                spec:
                  template:
                    spec:
                      tolerations: [{key: two, operator: Exists}]
                      containers:
                        - name: main
                          args: [z]
                          env: [{name: B, value: "3"}, {name: C, value: "4"}]
                """);

            var deployment = Assert.IsType<V1Deployment>(Assert.Single(Kustomize.Build(dir).SelectMany(o => Manifests.Load(Kustomize.ToYaml(o), "test"))));

            var spec = deployment.Spec.Template.Spec;
            Assert.Equal("ns1", deployment.Metadata.NamespaceProperty);
            Assert.Equal(["two"], spec.Tolerations.Select(t => t.Key));
            Assert.Equal(["main", "side"], spec.Containers.Select(c => c.Name));
            Assert.Equal(["z"], spec.Containers[0].Args);
            Assert.Equal(["A=1", "B=3", "C=4"], spec.Containers[0].Env.Select(e => $"{e.Name}={e.Value}"));
            Assert.Equal("reg.example/app:2", spec.Containers[0].Image);
            Assert.Equal("other:1", spec.Containers[1].Image);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
