using System.Net;
using System.Net.Sockets;

namespace OrleansPathology.Tests;

/// <summary>
/// The ports tests give their servers lie outside the kernel's ephemeral range, where an outgoing connection can take a
/// port between its choice and the server's bind (CI saw a silo abort on "address already in use"), and are distinct.
/// </summary>
public sealed class TestPortsTests
{
    [Fact]
    public void Ports_for_test_servers_are_below_the_ephemeral_range_distinct_and_bindable()
    {
        var ephemeral = TestPorts.EphemeralStart();
        var ports = Enumerable.Range(0, 50).Select(i => i % 2 == 0 ? TestPorts.Next() : TestPorts.Next()).ToList();

        Assert.All(ports, port => Assert.InRange(port, TestPorts.First, ephemeral - 1));
        Assert.Equal(ports.Count, ports.Distinct().Count());
        using var server = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true };
        server.Bind(new IPEndPoint(IPAddress.IPv6Any, ports[^1]));
    }
}
