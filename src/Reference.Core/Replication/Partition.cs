using Reference.Core.Log;
using Reference.Core.Producers;
using Reference.Protocol;
using Reference.Protocol.Primitives;

namespace Reference.Core.Replication;

/// <summary>What this node is for a partition it holds a log of.</summary>
public enum ReplicaRole
{
    /// <summary>Found on storage at start, not (yet) assigned by the metadata.</summary>
    Unassigned,
    Leader,
    Follower,
}

/// <summary>
/// One partition this node hosts (Kafka's <c>Partition</c>): its log and producer state, its role and
/// epochs from the metadata, and as leader the followers' positions, the ISR and the high watermark.
/// The HW is the smallest log end among the maximal ISR and the followers caught up enough to join it,
/// and it does not move while the ISR is below min.insync.replicas (KIP-966's strict rule, Kafka 3.7+).
/// </summary>
public sealed class Partition
{
    private readonly int _localId;
    private readonly SortedDictionary<int, FollowerReplica> _followers = new();
    private IReadOnlyList<int> _isr = [];

    public Partition(int localId, PartitionLog log, ProducerStateTable producers, TopicLogConfig config)
    {
        _localId = localId;
        Log = log;
        Producers = producers;
        Config = config;
    }

    public TopicPartition Name => Log.Name;

    /// <summary>Zero for a log found on storage before the metadata named its topic.</summary>
    public Uuid TopicId { get; private set; }

    public TopicLogConfig Config { get; private set; }

    public PartitionLog Log { get; }

    public ProducerStateTable Producers { get; private set; }

    public ReplicaRole Role { get; private set; }

    public bool IsLeader => Role == ReplicaRole.Leader;

    public int LeaderId { get; private set; } = -1;

    public int LeaderEpoch { get; private set; } = -1;

    public int PartitionEpoch { get; private set; } = -1;

    public IReadOnlyList<int> Replicas { get; private set; } = [];

    /// <summary>The ISR the controller committed, ascending.</summary>
    public IReadOnlyList<int> Isr => _isr;

    public IsrChange? PendingIsrChange { get; private set; }

    /// <summary>The ISR that gates the HW and acks=all: the committed one, plus a replica being added (KIP-497).</summary>
    public IReadOnlyList<int> MaximalIsr => PendingIsrChange?.MaximalIsr ?? _isr;

    /// <summary>Where this node's current leader epoch began; a follower must reach it to join the ISR.</summary>
    public long? LeaderEpochStartOffset { get; private set; }

    public IEnumerable<FollowerReplica> Followers => _followers.Values;

    public FollowerReplica? Follower(int brokerId) => _followers.GetValueOrDefault(brokerId);

    /// <summary>min.insync.replicas, capped by the replica count (Kafka's effectiveMinIsr), so a topic with fewer replicas than the setting can still make progress.</summary>
    public int EffectiveMinIsr => Math.Min(Config.MinInsyncReplicas, Math.Max(1, Replicas.Count));

    public bool IsUnderMinIsr => IsLeader && _isr.Count < EffectiveMinIsr;

    /// <summary>
    /// Takes the metadata's word for the partition (Kafka's makeLeader / makeFollower). An assignment older
    /// than the partition epoch already known (the AlterPartition answer can arrive before the metadata)
    /// changes only the configs; one with the same epochs and leader leaves a pending ISR change alone.
    /// </summary>
    /// <returns>True when the role, leader or epochs changed.</returns>
    public bool Apply(PartitionAssignment assignment, long nowMs)
    {
        Invariant.Require(assignment.Partition == Name);
        Config = assignment.Config;
        TopicId = assignment.TopicId;
        if (assignment.PartitionEpoch < PartitionEpoch) return false;
        bool unchanged = assignment.PartitionEpoch == PartitionEpoch && assignment.LeaderEpoch == LeaderEpoch
            && assignment.LeaderId == LeaderId && Role != ReplicaRole.Unassigned;
        if (unchanged) return false;
        if (assignment.LeaderId == _localId) BecomeLeader(assignment, nowMs);
        else BecomeFollower(assignment);
        return true;
    }

    private void BecomeLeader(PartitionAssignment assignment, long nowMs)
    {
        bool isNewLeader = !IsLeader;
        bool isNewLeaderEpoch = assignment.LeaderEpoch > LeaderEpoch;
        Replicas = assignment.Replicas;
        _isr = Ascending(assignment.Isr);
        PendingIsrChange = null;
        foreach (int gone in _followers.Keys.Where(id => !assignment.Replicas.Contains(id)).ToList()) _followers.Remove(gone);
        foreach (int id in assignment.Replicas.Where(id => id != _localId))
            if (!_followers.ContainsKey(id)) _followers[id] = new FollowerReplica(id);
        if (isNewLeaderEpoch)
        {
            // Cache the new epoch at the log end even before anything is written in it, so a follower holding
            // entries of a later, failed epoch still finds where to truncate (Kafka's makeLeader comment).
            long startOffset = Log.LogEndOffset;
            Log.Epochs.Assign(assignment.LeaderEpoch, startOffset);
            foreach (FollowerReplica follower in _followers.Values)
                follower.Reset(nowMs, startOffset, isNewLeader, _isr.Contains(follower.BrokerId));
            LeaderEpoch = assignment.LeaderEpoch;
            LeaderEpochStartOffset = startOffset;
        }
        PartitionEpoch = assignment.PartitionEpoch;
        LeaderId = _localId;
        Role = ReplicaRole.Leader;
    }

    private void BecomeFollower(PartitionAssignment assignment)
    {
        Replicas = assignment.Replicas;
        _isr = Ascending(assignment.Isr);
        PendingIsrChange = null;
        _followers.Clear();
        LeaderId = assignment.LeaderId;
        LeaderEpoch = assignment.LeaderEpoch;
        LeaderEpochStartOffset = null;
        PartitionEpoch = assignment.PartitionEpoch;
        Role = ReplicaRole.Follower;
    }

    /// <summary>
    /// Takes the producer state rebuilt from the log after a truncation (Kafka reloads it from the log after
    /// truncateTo), so a follower that becomes leader judges sequences against the log it really holds.
    /// </summary>
    public void ReloadProducers(ProducerStateTable producers)
    {
        Invariant.Require(!IsLeader);
        Producers = producers;
    }

    /// <summary>
    /// The checks before serving a read or write (Kafka's getLocalLog): the caller's view of the leader
    /// epoch first (-1 skips it; KIP-320), then leadership when <paramref name="requireLeader"/>.
    /// </summary>
    public ErrorCode CheckLeader(int currentLeaderEpoch, bool requireLeader = true)
    {
        if (currentLeaderEpoch >= 0 && LeaderEpoch > currentLeaderEpoch) return ErrorCode.FencedLeaderEpoch;
        if (currentLeaderEpoch >= 0 && LeaderEpoch < currentLeaderEpoch) return ErrorCode.UnknownLeaderEpoch;
        return requireLeader && !IsLeader ? ErrorCode.NotLeaderOrFollower : ErrorCode.None;
    }

    /// <summary>
    /// Kafka's maybeIncrementLeaderHW. With <paramref name="durableOnly"/> (FlushBeforeAcknowledge) the
    /// leader's own contribution is its durable end, so nothing is committed that a power cut could take.
    /// </summary>
    public bool MaybeIncrementHighWatermark(long nowMs, long replicaLagTimeMaxMs, bool durableOnly)
    {
        if (!IsLeader || IsUnderMinIsr) return false;
        long candidate = durableOnly ? Log.DurableEndOffset : Log.LogEndOffset;
        IReadOnlyList<int> maximalIsr = MaximalIsr;
        foreach (FollowerReplica follower in _followers.Values)
        {
            bool holdsHighWatermark = maximalIsr.Contains(follower.BrokerId)
                || follower.IsCaughtUp(Log.LogEndOffset, nowMs, replicaLagTimeMaxMs);
            if (holdsHighWatermark && follower.LogEndOffset < candidate) candidate = follower.LogEndOffset;
        }
        return Log.TryAdvanceHighWatermark(candidate);
    }

    /// <summary>
    /// Kafka's isFollowerInSync and maybeExpandIsr: a follower joins once it has reached the HW and the
    /// start of this leader's epoch, since before that it might miss committed data were it elected.
    /// </summary>
    public IsrChange? MaybeProposeExpand(FollowerReplica follower)
    {
        if (!IsLeader || PendingIsrChange is not null || _isr.Contains(follower.BrokerId)) return null;
        if (follower.LogEndOffset < Log.HighWatermark || LeaderEpochStartOffset is not long epochStart || follower.LogEndOffset < epochStart)
            return null;
        IReadOnlyList<int> proposed = Ascending(_isr.Append(follower.BrokerId));
        return PendingIsrChange = new IsrChange(proposed, proposed);
    }

    /// <summary>
    /// Kafka's maybeShrinkIsr: ISR followers that are neither at the leader's end nor caught up within
    /// replica.lag.time.max.ms are proposed out. The maximal ISR keeps them until the controller agrees.
    /// </summary>
    public IsrChange? MaybeProposeShrink(long nowMs, long replicaLagTimeMaxMs)
    {
        if (!IsLeader || PendingIsrChange is not null) return null;
        var outOfSync = _isr.Where(id => id != _localId
            && (Follower(id) is not FollowerReplica follower || !follower.IsCaughtUp(Log.LogEndOffset, nowMs, replicaLagTimeMaxMs))).ToList();
        if (outOfSync.Count == 0) return null;
        return PendingIsrChange = new IsrChange(_isr.Except(outOfSync).ToList(), _isr);
    }

    /// <summary>
    /// The controller's answer to <paramref name="sent"/> (Kafka's handleAlterPartitionUpdate and
    /// handleAlterPartitionError). Returns true when the ISR was committed, so the HW may move.
    /// </summary>
    public bool OnAlterPartitionAnswer(IsrChange sent, ErrorCode error, int leaderEpoch, int partitionEpoch, IReadOnlyList<int> isr)
    {
        if (!ReferenceEquals(PendingIsrChange, sent)) return false; // superseded by metadata meanwhile
        switch (error)
        {
            case ErrorCode.None when leaderEpoch == LeaderEpoch && partitionEpoch >= PartitionEpoch:
                _isr = Ascending(isr);
                PartitionEpoch = partitionEpoch;
                PendingIsrChange = null;
                return true;
            case ErrorCode.None:
                return false; // stale answer: wait for the metadata to settle it
            case ErrorCode.OperationNotAttempted or ErrorCode.IneligibleReplica:
                PendingIsrChange = null; // the controller says it applied nothing and our epoch is current
                return false;
            case ErrorCode.UnknownTopicOrPartition or ErrorCode.UnknownTopicId or ErrorCode.FencedLeaderEpoch
                or ErrorCode.InvalidUpdateVersion or ErrorCode.InvalidRequest or ErrorCode.NewLeaderElected:
                return false; // our view is stale: stay pending until the metadata overrides it
            default:
                sent.IsSent = false; // retriable: sent again at the next ISR check
                return false;
        }
    }

    /// <summary>
    /// Kafka's checkEnoughReplicasReachOffset, for a produce waiting on its acks. Leadership lost, or a new
    /// leader epoch (whose log may no longer hold the batch), fails it with NOT_LEADER_OR_FOLLOWER.
    /// </summary>
    public AckStatus CheckAck(AckLevel level, long requiredOffset, int appendLeaderEpoch)
    {
        if (!IsLeader || LeaderEpoch != appendLeaderEpoch) return AckStatus.Failed(ErrorCode.NotLeaderOrFollower);
        if (level == AckLevel.Durable)
            return Log.DurableEndOffset >= requiredOffset ? AckStatus.Done : AckStatus.Waiting;
        if (Log.HighWatermark < requiredOffset) return AckStatus.Waiting;
        return MaximalIsr.Count >= EffectiveMinIsr ? AckStatus.Done : AckStatus.Failed(ErrorCode.NotEnoughReplicasAfterAppend);
    }

    public PartitionSnapshot Snapshot() => new(Name, TopicId, Role, LeaderId, LeaderEpoch, PartitionEpoch, Log.LogStartOffset,
        Log.HighWatermark, Log.LogEndOffset, Log.DurableEndOffset, _isr, MaximalIsr);

    private static IReadOnlyList<int> Ascending(IEnumerable<int> ids) => ids.Distinct().Order().ToList();
}
