namespace OrleansPathology.Client.Cluster;

/// <summary>No cluster answered where the command looked. The message says where, password redacted.</summary>
internal sealed class ClusterUnavailableException(string message, Exception? inner = null) : IOException(message, inner);

/// <summary>The cluster has no cohort by this id (never submitted, or submitted to a cluster whose memory state is gone).</summary>
internal sealed class CohortNotFoundException(string cohortId, string problem) : Exception($"cohort '{cohortId}' {problem}")
{
    public string CohortId { get; } = cohortId;
}
