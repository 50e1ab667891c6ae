using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;

namespace Reference.Core.Replication;

/// <summary>
/// Sends a leader's proposed ISR changes to the active controller as AlterPartition (KIP-497; Kafka's
/// <c>AlterPartitionManager</c>, one partition per request here) and hands the answers back to the
/// partition. A partition has at most one change pending; one that could not be sent, or failed for a
/// reason worth retrying, is sent again at the next ISR check (every replica.lag.time.max.ms / 2).
/// Every request sent is in <c>_inFlight</c> until the node hands back its answer or its failure, which
/// the node promises for each; answers must come after <see cref="IPeerSender.Send"/> returns, in process too.
/// </summary>
internal sealed class IsrChangeSender(int nodeId, IPeerSender peers, IControllerLocator controllers, Func<long> brokerEpoch)
{
    /// <summary>v3 carries the ISR members' broker epochs (KIP-903), so a rebooted follower cannot rejoin on a stale fetch.</summary>
    public const short AlterPartitionVersion = 3;

    private readonly SortedDictionary<int, (TopicPartition Partition, IsrChange Change)> _inFlight = new();

    public int InFlightCount => _inFlight.Count;

    /// <summary>Sends the partition's pending change, unless it is out already or no controller is known.</summary>
    public void Submit(Partition partition, Effects effects)
    {
        if (partition.PendingIsrChange is not IsrChange change || change.IsSent) return;
        if (controllers.ActiveControllerId is not int controllerId) return;
        change.IsSent = true;
        int correlationId = peers.Send(controllerId, AlterPartitionVersion, BuildRequest(partition, change), effects);
        _inFlight[correlationId] = (partition.Name, change);
    }

    /// <returns>The partition whose ISR the answer committed, if any (its HW may move).</returns>
    public Partition? HandleResponse(int correlationId, IResponseBody body, PartitionTable table)
    {
        if (!_inFlight.Remove(correlationId, out var sent)) return null;
        if (table.Get(sent.Partition) is not Partition partition) return null;
        if (body is not AlterPartitionResponse { ErrorCode: 0 } response || FindAnswer(response, partition) is not { } answer)
        {
            sent.Change.IsSent = false; // the whole request failed (NOT_CONTROLLER, ...): retried at the next ISR check
            return null;
        }
        bool committed = partition.OnAlterPartitionAnswer(sent.Change, (ErrorCode)answer.ErrorCode, answer.LeaderEpoch,
            answer.PartitionEpoch, answer.Isr);
        return committed ? partition : null;
    }

    public void HandleRequestFailed(int correlationId)
    {
        if (_inFlight.Remove(correlationId, out var sent)) sent.Change.IsSent = false;
    }

    private AlterPartitionRequest BuildRequest(Partition partition, IsrChange change) => new()
    {
        BrokerId = nodeId,
        BrokerEpoch = brokerEpoch(),
        Topics =
        [
            new AlterPartitionRequest.TopicData
            {
                TopicName = partition.Name.Topic,
                TopicId = partition.TopicId,
                Partitions =
                [
                    new AlterPartitionRequest.PartitionData
                    {
                        PartitionIndex = partition.Name.Partition,
                        LeaderEpoch = partition.LeaderEpoch,
                        NewIsr = change.ProposedIsr.ToList(),
                        NewIsrWithEpochs = change.ProposedIsr.Select(id => new AlterPartitionRequest.BrokerState
                        {
                            BrokerId = id,
                            // -1 where the leader has not heard the follower's epoch yet; the controller skips the check (Kafka's addBrokerEpochToIsr).
                            BrokerEpoch = id == nodeId ? brokerEpoch() : partition.Follower(id)?.BrokerEpoch ?? -1,
                        }).ToList(),
                        LeaderRecoveryState = 0,
                        PartitionEpoch = partition.PartitionEpoch,
                    },
                ],
            },
        ],
    };

    private static AlterPartitionResponse.PartitionData? FindAnswer(AlterPartitionResponse response, Partition partition) =>
        response.Topics
            .Where(topic => (partition.TopicId != Uuid.Zero && topic.TopicId == partition.TopicId) || topic.TopicName == partition.Name.Topic)
            .SelectMany(topic => topic.Partitions)
            .FirstOrDefault(answer => answer.PartitionIndex == partition.Name.Partition);
}
