using System.Net.Security;
using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using OrleansPathology.Client.Cluster;
using OrleansPathology.Grains;
using OrleansPathology.Silo.Hosting;
using OrleansPathology.Tests.Telemetry;

namespace OrleansPathology.Tests.Security;

/// <summary>
/// Mutual TLS on real sockets: two silos whose certificates a private authority signed (the first configured through
/// <c>Silo:Tls</c> with PEM files, as a Kubernetes TLS secret mounts them) form one cluster; clients reach its gateway
/// only with a certificate from the same authority.
/// </summary>
public sealed class TlsTests : IAsyncLifetime
{
    private readonly string _dir = TestData.NewTempDir("opath-tls");
    private readonly int _siloPort = TestPorts.Next();
    private readonly int _gatewayPort = TestPorts.Next();
    private readonly List<IHost> _silos = [];
    private TestAuthority _authority = null!;
    private string _caPath = null!;

    public async Task InitializeAsync()
    {
        _authority = TestAuthority.Create("opath test authority");
        _caPath = _authority.WriteCertificatePem(Path.Combine(_dir, "ca.crt"));
        using var first = _authority.Issue("silo-1");
        var (crt, key) = TestAuthority.WritePem(first, Path.Combine(_dir, "silo-1"));
        using var second = _authority.Issue("silo-2");
        var (crt2, key2) = TestAuthority.WritePem(second, Path.Combine(_dir, "silo-2"));

        // The primary silo, exactly as a silo process configures itself.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Silo:SiloPort"] = _siloPort.ToString(),
            ["Silo:GatewayPort"] = _gatewayPort.ToString(),
            ["Silo:Tls:CertificatePath"] = crt,
            ["Silo:Tls:KeyPath"] = key,
            ["Silo:Tls:CaPath"] = _caPath,
            ["Workers:SiloName"] = "tls-1",
            ["Workers:Devices:0"] = "cpu:0",
        });
        builder.AddPathologySilo();
        await StartAsync(builder.Build());

        // A second silo joins it: membership itself travels over TLS between the silos.
        var joining = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        joining.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(TestPorts.Next(), TestPorts.Next(),
                primarySiloEndpoint: new IPEndPoint(IPAddress.Loopback, _siloPort), serviceId: "opath", clusterId: "opath");
            silo.UsePathologyTls(new TlsCertificateOptions { CertificatePath = crt2, KeyPath = key2, CaPath = _caPath });
            // The dispatcher and other grains may be placed here.
            silo.AddMemoryGrainStorage(PathologyGrainOptions.StorageName);
        });
        await StartAsync(joining.Build());
    }

    public async Task DisposeAsync()
    {
        foreach (var silo in Enumerable.Reverse(_silos))
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await silo.StopAsync(stop.Token);
            silo.Dispose();
        }
        _authority.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task A_client_with_a_certificate_from_the_cluster_authority_reaches_both_silos()
    {
        using var certificate = _authority.Issue("opath-client");
        var pfx = TestAuthority.WritePfx(certificate, Path.Combine(_dir, "client.pfx"), "pfx-secret");
        File.WriteAllText(Path.Combine(_dir, "client.password"), "pfx-secret\n");

        await using var session = await ConnectAsync(new Dictionary<string, string?>
        {
            ["Client:Tls:CertificatePath"] = pfx,
            ["Client:Tls:PasswordFile"] = Path.Combine(_dir, "client.password"),
            ["Client:Tls:CaPath"] = _caPath,
        });

        var hosts = await session.Client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        Assert.Equal(2, hosts.Count);
    }

    [Fact]
    public async Task A_client_without_a_certificate_is_refused()
    {
        var error = await Assert.ThrowsAsync<ClusterUnavailableException>(() => ConnectAsync([]));
        Assert.StartsWith($"no cluster answered at localhost:{_gatewayPort}", error.Message);
    }

    [Fact]
    public async Task A_client_whose_certificate_another_authority_signed_is_refused()
    {
        using var rogue = TestAuthority.Create("another authority");
        using var certificate = rogue.Issue("opath-client");
        var (crt, key) = TestAuthority.WritePem(certificate, Path.Combine(_dir, "rogue"));

        var error = await Assert.ThrowsAsync<ClusterUnavailableException>(() => ConnectAsync(new Dictionary<string, string?>
        {
            ["Client:Tls:CertificatePath"] = crt,
            ["Client:Tls:KeyPath"] = key,
            ["Client:Tls:CaPath"] = _caPath,
        }));
        Assert.StartsWith($"no cluster answered at localhost:{_gatewayPort}", error.Message);
    }

    [Fact]
    public async Task A_client_whose_certificate_allows_server_authentication_only_is_refused()
    {
        using var certificate = _authority.Issue("opath-client", TestAuthority.ServerAuth);
        var (crt, key) = TestAuthority.WritePem(certificate, Path.Combine(_dir, "server-only"));

        var error = await Assert.ThrowsAsync<ClusterUnavailableException>(() => ConnectAsync(new Dictionary<string, string?>
        {
            ["Client:Tls:CertificatePath"] = crt,
            ["Client:Tls:KeyPath"] = key,
            ["Client:Tls:CaPath"] = _caPath,
        }));
        Assert.StartsWith($"no cluster answered at localhost:{_gatewayPort}", error.Message);
    }

    [Fact]
    public void With_a_CA_a_silo_requires_client_authentication_of_peers_and_a_client_server_authentication_of_gateways()
    {
        using var node = _authority.Issue("node");
        var (crt, key) = TestAuthority.WritePem(node, Path.Combine(_dir, "eku-node"));
        var options = new TlsCertificateOptions { CertificatePath = crt, KeyPath = key, CaPath = _caPath };
        using var serverOnly = _authority.Issue("server-only", TestAuthority.ServerAuth);
        using var clientOnly = _authority.Issue("client-only", TestAuthority.ClientAuth);
        using var both = _authority.Issue("both");

        var (siloCertificate, silo) = TlsHosting.Load(options, "Silo:Tls");
        var (clientCertificate, client) = TlsHosting.Load(options, TlsHosting.ClientSectionName);
        using (siloCertificate)
        using (clientCertificate)
        {
            Assert.Equal((true, true, false), (silo(both, null, SslPolicyErrors.None), silo(clientOnly, null, SslPolicyErrors.None), silo(serverOnly, null, SslPolicyErrors.None)));
            Assert.Equal((true, true, false), (client(both, null, SslPolicyErrors.None), client(serverOnly, null, SslPolicyErrors.None), client(clientOnly, null, SslPolicyErrors.None)));
        }
    }

    [Fact]
    public void A_certificate_that_cannot_be_loaded_is_an_error_naming_the_setting_and_file_but_not_the_password()
    {
        using var certificate = _authority.Issue("opath-client");
        var pfx = TestAuthority.WritePfx(certificate, Path.Combine(_dir, "client.pfx"), "right-password");
        var options = new TlsCertificateOptions { CertificatePath = pfx, Password = "wrong-password-7d1f" };

        var error = Assert.Throws<TlsCertificateException>(() => TlsHosting.Load(options, "Silo:Tls"));

        Assert.StartsWith($"Silo:Tls:CertificatePath {pfx} could not be loaded", error.Message);
        Assert.DoesNotContain("wrong-password-7d1f", error.ToString());
        var missing = Assert.Throws<TlsCertificateException>(() =>
            TlsHosting.Load(new TlsCertificateOptions { CertificatePath = Path.Combine(_dir, "absent.crt") }, "Client:Tls"));
        Assert.StartsWith($"Client:Tls:CertificatePath {Path.Combine(_dir, "absent.crt")} could not be loaded", missing.Message);
    }

    private async Task StartAsync(IHost silo)
    {
        _silos.Add(silo);
        using var start = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await silo.StartAsync(start.Token);
    }

    // The client `opath --cluster localhost:PORT` opens, with Client:Tls settings as the environment would give them.
    private Task<ClusterSession> ConnectAsync(Dictionary<string, string?> settings) =>
        ClusterSession.ConnectAsync(new ClusterTarget(ClusterKind.Localhost, _gatewayPort), CancellationToken.None, settings);
}
