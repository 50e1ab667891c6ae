using Reference.Client.Errors;
using Reference.Client.Metadata;
using Reference.Client.Network;
using Reference.Protocol.Messages;

namespace Reference.Client.Groups;

/// <summary>FindCoordinator: which broker coordinates a consumer group.</summary>
internal static class CoordinatorLookup
{
    /// <summary>
    /// Tries while the coordinator is loading or not yet available (a new cluster creates
    /// __consumer_offsets on the first lookup), up to this many times with the retry backoff between.
    /// </summary>
    private const int AttemptsMax = 50;

    private const sbyte GroupKeyType = 0;

    public static async Task<BrokerNode> FindAsync(ClusterClient cluster, string groupId, CancellationToken cancellationToken)
    {
        string lastFailure = "";
        for (int attempt = 1; attempt <= AttemptsMax; attempt++)
        {
            BrokerConnection connection = await cluster.ConnectToAnyAsync(cancellationToken);
            short version = connection.VersionFor(ApiKey.FindCoordinator);
            var request = new FindCoordinatorRequest { Key = groupId, KeyType = GroupKeyType, CoordinatorKeys = [groupId] };
            FindCoordinatorResponse response = await connection.SendAsync<FindCoordinatorResponse>(request, version, cancellationToken);
            // From v4 the answer is a list, one per key (KIP-699); before, the fields are top-level.
            var (error, message, node) = version >= 4
                ? response.Coordinators.Where(c => c.Key == groupId)
                    .Select(c => ((ErrorCode)c.ErrorCode, c.ErrorMessage, new BrokerNode(c.NodeId, c.Host, c.Port, null)))
                    .FirstOrDefault(((ErrorCode)ErrorCode.CoordinatorNotAvailable, (string?)"no coordinator listed", new BrokerNode(-1, "", 0, null)))
                : ((ErrorCode)response.ErrorCode, response.ErrorMessage, new BrokerNode(response.NodeId, response.Host, response.Port, null));
            if (error == ErrorCode.None) return node;
            if (error is not (ErrorCode.CoordinatorNotAvailable or ErrorCode.CoordinatorLoadInProgress or ErrorCode.NotCoordinator))
                throw KafkaApiException.From(error, $"Finding the coordinator of group '{groupId}' failed", message);
            lastFailure = $"{message ?? ErrorCodes.Describe(error)} ({error})";
            await Task.Delay(cluster.Options.RetryBackoffMs, cancellationToken);
        }
        throw new KafkaTimeoutException($"No coordinator for group '{groupId}' after {AttemptsMax} attempts: {lastFailure}");
    }
}
