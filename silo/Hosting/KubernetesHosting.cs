using System.Net;
using Orleans.Configuration;
using Orleans.Hosting.Kubernetes;

namespace OrleansPathology.Silo.Hosting;

/// <summary>
/// <c>Silo:Clustering=kubernetes</c>: a silo in a Kubernetes pod. Membership stays in PostgreSQL; Orleans'
/// Kubernetes hosting takes the silo's identity from the pod (name, IP, namespace, the <c>orleans/serviceId</c>
/// and <c>orleans/clusterId</c> labels) and watches the pods, so a deleted pod's silo is declared dead at once
/// instead of after missed membership probes. The manifests in <c>k8s/</c> set the environment it reads.
/// </summary>
public static class KubernetesHosting
{
    /// <summary>
    /// PostgreSQL membership plus Kubernetes hosting: listens on any address at <see cref="SiloHostOptions.SiloPort"/>
    /// and <see cref="SiloHostOptions.GatewayPort"/>, advertises the pod's IP and is named after the pod.
    /// </summary>
    /// <remarks>
    /// Orleans reads the pod from the process environment (<c>POD_NAME</c>, <c>POD_NAMESPACE</c>, <c>POD_IP</c>,
    /// <c>ORLEANS_SERVICE_ID</c>, <c>ORLEANS_CLUSTER_ID</c>), not from configuration: the pod spec sets them
    /// (<c>k8s/base/silo-gpu.yaml</c>). The ids it reads override <c>Silo:ClusterId</c> and <c>Silo:ServiceId</c>, so
    /// the manifests set those from the same pod labels. The pod's service account needs get, list, watch and patch
    /// on pods (<c>k8s/base/rbac.yaml</c>).
    /// </remarks>
    public static ISiloBuilder UseKubernetesPodHosting(this ISiloBuilder silo, SiloHostOptions host)
    {
        silo.UsePostgresClustering(host.ConnectionString!);
        // The pod IP is set here, not left to Kubernetes hosting, which only fills in an address still unset when its
        // post-configuration runs: in a test host one registered before it had already picked a local interface's address.
        var podIP = silo.Configuration[KubernetesHostingOptions.PodIPEnvironmentVariable];
        silo.Configure<EndpointOptions>(o =>
        {
            (o.SiloPort, o.GatewayPort) = (host.SiloPort, host.GatewayPort);
            if (IPAddress.TryParse(podIP, out var address)) o.AdvertisedIPAddress = address;
        });
        return silo.UseKubernetesHosting();
    }
}
