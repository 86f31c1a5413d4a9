using System.Net.Security;
using k8s.Models;
using Microsoft.Extensions.Configuration;
using OrleansPathology.Silo.Hosting;
using OrleansPathology.Tests.Security;

namespace OrleansPathology.Tests.Kubernetes;

/// <summary>
/// The optional TLS component (<c>k8s/components/tls</c>) on each overlay: the silos, and the submit job, read their
/// certificate, key and authority as files of the operator's Secret <c>opath-tls</c>, mounted read-only; the files are
/// the keys a <c>kubernetes.io/tls</c> Secret holds and load in the silo's own loader; without the component none of
/// it is there.
/// </summary>
public sealed class TlsComponentTests
{
    private const string Component = "tls";
    private const string SecretName = "opath-tls";

    /// <summary>
    /// The files each setting must name: the two keys the API server requires of a Secret of type
    /// <c>kubernetes.io/tls</c> (k8s.io/api core/v1 <c>TLSCertKey</c>, <c>TLSPrivateKeyKey</c>), and <c>ca.crt</c>, the
    /// authority that cert-manager writes beside them.
    /// </summary>
    private static readonly Dictionary<string, string> FileOfSetting = new()
    {
        ["CertificatePath"] = "tls.crt",
        ["KeyPath"] = "tls.key",
        ["CaPath"] = "ca.crt",
    };

    /// <summary>0440: the owner (root) and the pod's fsGroup read the key; other users of the node do not.</summary>
    private static readonly int ReadableByGroupOnly = Convert.ToInt32("440", 8);

    private static Manifests SubmitTemplate => Manifests.File(Path.Combine(Manifests.K8s, "jobs", "submit-cohort.yaml"));

    private static V1Secret ExampleTlsSecret =>
        Assert.IsType<V1Secret>(Assert.Single(Manifests.File(Path.Combine(Manifests.K8s, "examples", "tls-secret.yaml")).Objects));

    [Theory]
    [MemberData(nameof(OverlayTests.Overlays), MemberType = typeof(OverlayTests))]
    public void With_TLS_every_silo_reads_certificate_key_and_authority_from_the_read_only_secret(string overlay)
    {
        var m = Manifests.Overlay(overlay, Component);

        var silos = m.Silos().ToList();
        Assert.Equal(2, silos.Count);
        foreach (var silo in silos)
        {
            var container = silo.Container("silo");
            var files = MountedSecretFiles(m, silo, container, optional: false);
            var env = PodEnvironment.Resolve(m, silo.Owner, container, OverlayTests.PodOf(silo, "ns"), OverlayTests.Secrets());

            foreach (var (setting, key) in FileOfSetting)
            {
                var path = env.GetValueOrDefault($"Silo__Tls__{setting}");
                Assert.True(path is not null, $"{m.Source}: {silo.Owner} has no Silo__Tls__{setting}");
                Assert.True(files.TryGetValue(path, out var file), $"{m.Source}: {silo.Owner} Silo__Tls__{setting}={path} is not a file of the mounted Secret {SecretName} ({string.Join(", ", files.Keys)})");
                Assert.Equal(key, file);
            }
            // The names are the ones the silo binds (section Silo:Tls), and the silo requires its peers' certificates.
            var options = Bind(env, "Silo:Tls");
            Assert.True(options.Enabled);
            Assert.Equal("require", options.ClientCertificateMode);
            Assert.Null(options.Password);
            Assert.Null(options.PasswordFile);
        }

        // Only silos hold the key: the schema job talks to PostgreSQL alone.
        Assert.Equal(silos.Select(s => s.Owner).Order(), m.PodTemplates().Where(p => SecretVolumes(p).Any()).Select(p => p.Owner).Order());
        var init = m.PodTemplates().Single(p => p.Owner == "Job/opath-db-init");
        Assert.DoesNotContain(PodEnvironment.Resolve(m, init.Owner, init.Spec.Containers.Single(), OverlayTests.PodOf(init, "ns"), OverlayTests.Secrets()).Keys,
            k => k.Contains("__Tls__", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(OverlayTests.Overlays), MemberType = typeof(OverlayTests))]
    public void The_submit_job_presents_the_cluster_certificate_with_TLS_and_connects_in_the_clear_without(string overlay)
    {
        var job = SubmitTemplate.PodTemplates().Single();
        var container = job.Spec.Containers.Single();

        var tls = Manifests.Overlay(overlay, Component);
        var files = MountedSecretFiles(tls, job, container, optional: true);
        var env = PodEnvironment.Resolve(tls, job.Owner, container, OverlayTests.PodOf(job, "ns"), OverlayTests.Secrets());
        var silo = tls.Silos().First();
        var siloEnv = PodEnvironment.Resolve(tls, silo.Owner, silo.Container("silo"), OverlayTests.PodOf(silo, "ns"), OverlayTests.Secrets());
        foreach (var (setting, key) in FileOfSetting)
        {
            var path = env.GetValueOrDefault($"Client__Tls__{setting}");
            Assert.True(path is not null, $"{tls.Source}: the submit job has no Client__Tls__{setting}");
            Assert.Equal(key, files.GetValueOrDefault(path));
            Assert.Equal(siloEnv[$"Silo__Tls__{setting}"], path);
        }
        Assert.True(Bind(env, TlsHosting.ClientSectionName).Enabled);

        // Without the component opath-settings has no TLS keys: the optional references leave the client's unset.
        var plain = Manifests.Overlay(overlay);
        var plainEnv = PodEnvironment.Resolve(plain, job.Owner, container, OverlayTests.PodOf(job, "ns"), OverlayTests.Secrets());
        Assert.DoesNotContain(plainEnv.Keys, k => k.Contains("__Tls__", StringComparison.Ordinal));
        Assert.False(Bind(plainEnv, TlsHosting.ClientSectionName).Enabled);
    }

    [Theory]
    [MemberData(nameof(OverlayTests.Overlays), MemberType = typeof(OverlayTests))]
    public void Without_the_component_no_silo_mounts_the_secret_or_has_a_TLS_setting(string overlay)
    {
        var m = Manifests.Overlay(overlay);

        Assert.All(m.PodTemplates(), p => Assert.Empty(SecretVolumes(p)));
        Assert.All(m.All<V1ConfigMap>(), c => Assert.DoesNotContain(c.Data?.Keys ?? [], k => k.Contains("__Tls__", StringComparison.Ordinal)));
        foreach (var silo in m.Silos())
        {
            var env = PodEnvironment.Resolve(m, silo.Owner, silo.Container("silo"), OverlayTests.PodOf(silo, "ns"), OverlayTests.Secrets());
            Assert.DoesNotContain(env.Keys, k => k.Contains("__Tls__", StringComparison.Ordinal));
            Assert.False(Bind(env, "Silo:Tls").Enabled);
        }
    }

    [Fact]
    public void No_certificate_or_key_is_in_the_manifests_only_paths_to_the_operator_s_secret()
    {
        // What git keeps: filled-in secrets under secrets/ or *.secret.yaml stay local (k8s/.gitignore).
        var kept = Directory.EnumerateFiles(Manifests.K8s, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetExtension(f) is ".yaml" or ".md" && !f.EndsWith(".secret.yaml", StringComparison.Ordinal)
                        && !Path.GetRelativePath(Manifests.K8s, f).StartsWith("secrets" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .ToList();
        Assert.Contains(kept, f => f.EndsWith(Path.Combine("components", "tls", "settings.yaml"), StringComparison.Ordinal));
        foreach (var file in kept)
        {
            Assert.False(File.ReadAllText(file).Contains("-----BEGIN", StringComparison.Ordinal), $"{file} holds PEM material");
        }
        foreach (var overlay in Manifests.Overlays)
        {
            var m = Manifests.Overlay(overlay, Component);
            Assert.Empty(m.All<V1Secret>());
            foreach (var (key, value) in m.All<V1ConfigMap>().SelectMany(c => c.Data ?? new Dictionary<string, string>()).Where(d => d.Key.Contains("__Tls__", StringComparison.Ordinal)))
                Assert.True(value.StartsWith("/tls/", StringComparison.Ordinal), $"{m.Source}: {key}={value} is not a path under the Secret's mount");
            var example = ExampleTlsSecret;
            Assert.Null(example.Data);
            Assert.All(example.StringData.Values, v => Assert.Equal("", v));
        }
    }

    [Fact]
    public void The_mounted_files_are_a_kubernetes_io_tls_secret_s_keys_and_load_as_the_silo_and_client_certificates()
    {
        var example = ExampleTlsSecret;
        Assert.Equal(SecretName, example.Metadata.Name);
        Assert.Equal("kubernetes.io/tls", example.Type);
        Assert.Equal(FileOfSetting.Values.Order(), example.StringData.Keys.Order());

        // The Secret as the kubelet projects it into /tls: one file per key, holding what cert-manager or
        // `kubectl create secret` stores there (PEM certificate, PKCS#8 PEM key, PEM authority).
        var dir = TestData.NewTempDir("opath-tls-secret");
        try
        {
            using var authority = TestAuthority.Create("opath cluster authority");
            using var node = authority.Issue("opath-node");
            TestAuthority.WritePem(node, dir);
            authority.WriteCertificatePem(Path.Combine(dir, "ca.crt"));
            Assert.Equal(FileOfSetting.Values.Order(), Directory.EnumerateFiles(dir).Select(Path.GetFileName).Order());

            var m = Manifests.Overlay("trial", Component);
            var silo = m.Silos().First();
            var job = SubmitTemplate.PodTemplates().Single();
            var siloMount = silo.Container("silo").VolumeMounts.Single(v => v.Name == SecretVolumes(silo).Single().Name).MountPath;
            var jobMount = job.Spec.Containers.Single().VolumeMounts.Single(v => v.Name == SecretVolumes(job).Single().Name).MountPath;
            var siloEnv = PodEnvironment.Resolve(m, silo.Owner, silo.Container("silo"), OverlayTests.PodOf(silo, "ns"), OverlayTests.Secrets());
            var jobEnv = PodEnvironment.Resolve(m, job.Owner, job.Spec.Containers.Single(), OverlayTests.PodOf(job, "ns"), OverlayTests.Secrets());

            using var stranger = TestAuthority.Create("another authority");
            using var strangerNode = stranger.Issue("opath-node");
            foreach (var (env, mount, section) in new[] { (siloEnv, siloMount, "Silo:Tls"), (jobEnv, jobMount, TlsHosting.ClientSectionName) })
            {
                var options = Bind(env.ToDictionary(e => e.Key, e => e.Value.StartsWith(mount + "/", StringComparison.Ordinal) ? Path.Combine(dir, e.Value[(mount.Length + 1)..]) : e.Value), section);
                var (certificate, validator) = TlsHosting.Load(options, section);
                using (certificate)
                {
                    Assert.True(certificate.HasPrivateKey, $"{section}: the certificate loaded without its key");
                    Assert.Equal(node.Thumbprint, certificate.Thumbprint);
                    // Peers holding a certificate of the same authority are accepted; others are refused.
                    Assert.True(validator(node, null, SslPolicyErrors.None), $"{section}: a peer of the cluster's authority is refused");
                    Assert.False(validator(strangerNode, null, SslPolicyErrors.None), $"{section}: a peer of another authority is accepted");
                }
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The volumes of <paramref name="pod"/> from the Secret <c>opath-tls</c>.</summary>
    private static IEnumerable<V1Volume> SecretVolumes(PodTemplate pod) =>
        (pod.Spec.Volumes ?? []).Where(v => v.Secret?.SecretName == SecretName);

    /// <summary>
    /// The files <paramref name="container"/> sees of the Secret (path → the Secret's key), after checking how it is
    /// mounted: read-only, whole folder (not subPath, which would not follow a renewed certificate), readable by the
    /// container's group through the pod's fsGroup and by no other user, and optional only where asked.
    /// </summary>
    private static Dictionary<string, string> MountedSecretFiles(Manifests m, PodTemplate pod, V1Container container, bool optional)
    {
        var volume = Assert.Single(SecretVolumes(pod));
        Assert.True((volume.Secret.Optional ?? false) == optional, $"{m.Source}: {pod.Owner}'s {SecretName} volume should {(optional ? "" : "not ")}be optional");
        Assert.Equal(ReadableByGroupOnly, volume.Secret.DefaultMode);
        var group = container.SecurityContext?.RunAsGroup ?? pod.Spec.SecurityContext?.RunAsGroup;
        Assert.True(group is not null && pod.Spec.SecurityContext?.FsGroup == group,
            $"{m.Source}: {pod.Owner} runs as group {group} but its volumes belong to fsGroup {pod.Spec.SecurityContext?.FsGroup}: the key would be unreadable");

        var mount = Assert.Single(container.VolumeMounts ?? [], v => v.Name == volume.Name);
        Assert.True(mount.ReadOnlyProperty == true, $"{m.Source}: {pod.Owner} mounts {SecretName} writable");
        Assert.Null(mount.SubPath);
        // Without items every key of the Secret is a file named after the key; with items, each at its path.
        var keys = volume.Secret.Items?.Select(i => (i.Key, i.Path)) ?? FileOfSetting.Values.Select(k => (Key: k, Path: k));
        return keys.ToDictionary(k => $"{mount.MountPath.TrimEnd('/')}/{k.Path}", k => k.Key);
    }

    /// <summary>The TLS settings of <paramref name="section"/> as the host binds them from the environment.</summary>
    private static TlsCertificateOptions Bind(IReadOnlyDictionary<string, string> env, string section)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(env.Select(e => KeyValuePair.Create(e.Key.Replace("__", ":"), (string?)e.Value)))
            .Build();
        return configuration.GetSection(section).Get<TlsCertificateOptions>() ?? new TlsCertificateOptions();
    }
}
