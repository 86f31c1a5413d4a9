using System.Net;
using System.Net.Sockets;
using OrleansPathology.Client.Cluster;

namespace OrleansPathology.Tests.Cluster;

/// <summary>
/// The embedded cluster picks free loopback ports just before its silo binds them, so another process can take one in
/// between (a port the kernel hands out for port 0 serves outgoing connections too). A start whose port was taken
/// tries again with new ones instead of failing the command.
/// </summary>
public sealed class EmbeddedPortTests
{
    [Fact]
    public async Task An_embedded_cluster_whose_port_was_taken_starts_on_other_ports()
    {
        using var taken = new TcpListener(IPAddress.Any, 0);
        taken.Start();
        var takenPort = ((IPEndPoint)taken.LocalEndpoint).Port;
        var offered = new Queue<int>([takenPort, takenPort]);
        var ports = new List<int>();
        int NextPort()
        {
            var port = offered.Count > 0 ? offered.Dequeue() : TestPorts.Next();
            ports.Add(port);
            return port;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var session = await ClusterSession.StartEmbeddedAsync(timeout.Token, settings: null, NextPort);

        // The first start offered the taken port for both endpoints; the next got two free ones, and the cluster answers.
        Assert.Equal([takenPort, takenPort], ports.Take(2));
        Assert.Equal(4, ports.Count);
        await Assert.ThrowsAsync<CohortNotFoundException>(() => session.StatusAsync("no-such-cohort", timeout.Token));
    }
}
