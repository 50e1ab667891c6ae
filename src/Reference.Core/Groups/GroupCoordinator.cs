using Reference.Core.Log;
using Reference.Core.Node;
using Reference.Core.Replication;
using Reference.Protocol.Messages;

namespace Reference.Core.Groups;

/// <summary>A <c>__consumer_offsets</c> partition this node leads, in the leader epoch it leads it.</summary>
public readonly record struct LedOffsetsPartition(int Partition, int LeaderEpoch);

/// <summary>
/// The classic group coordinator of one node (Kafka's <c>GroupCoordinator</c> with its
/// <c>GroupMetadataManager</c>): consumer groups and their committed offsets, for the groups whose
/// <c>__consumer_offsets</c> partition this node leads. The node drives it:
/// <list type="bullet">
/// <item><see cref="OnPartitionsLed"/> after every metadata change, with the offsets partitions it now leads;</item>
/// <item><see cref="TryHandle"/>, or the typed <c>Handle…</c> it dispatches to, for the APIs in <see cref="HandledApiKeys"/>;</item>
/// <item><see cref="Tick"/> when <see cref="NextDeadlineMs"/> is reached, and <see cref="OnConnectionClosed"/>.</item>
/// </list>
/// FindCoordinator is the node's: it answers with the leader of <see cref="PartitionFor"/>'s partition.
/// Answers may come in a later step: a parked JoinGroup or SyncGroup, or a commit waiting for its write.
/// </summary>
public sealed class GroupCoordinator
{
    private readonly GroupCatalog _catalog;
    private readonly GroupRebalancer _rebalancer;
    private readonly GroupPartitionLoader _loader;
    private readonly GroupTimers _timers;
    private readonly OffsetRetention _retention;
    private readonly JoinGroupHandler _join;
    private readonly SyncGroupHandler _sync;
    private readonly HeartbeatHandler _heartbeat;
    private readonly LeaveGroupHandler _leave;
    private readonly OffsetCommitHandler _commit;
    private readonly OffsetFetchHandler _fetch;
    private readonly GroupQueryHandler _query;
    private readonly GroupDeletionHandler _deletion;
    private readonly SortedDictionary<int, GroupPartitionLoad> _loads = new();

    /// <param name="storage">Where led partitions are loaded from.</param>
    /// <param name="appender">How commits and group state are written to the led partitions.</param>
    /// <param name="random">The node's seeded randomness, for member ids.</param>
    /// <param name="partitionExists">Whether a topic partition exists in the metadata image: a commit or offset
    /// deletion for one that does not is refused with UNKNOWN_TOPIC_OR_PARTITION, as KafkaApis does.</param>
    public GroupCoordinator(GroupCoordinatorConfig config, ILogStorage storage, IPartitionAppender appender, IDeterministicRandom random, Func<TopicPartition, bool> partitionExists)
    {
        Config = config;
        var writer = new GroupLogWriter(appender);
        _catalog = new GroupCatalog(config);
        _rebalancer = new GroupRebalancer(config, writer);
        _loader = new GroupPartitionLoader(config, storage);
        _timers = new GroupTimers(_catalog, _rebalancer);
        _retention = new OffsetRetention(config, _catalog, writer);
        _join = new JoinGroupHandler(config, _catalog, _rebalancer, new StaticMemberRejoin(_rebalancer, writer), random);
        _sync = new SyncGroupHandler(_catalog, _rebalancer, writer);
        _heartbeat = new HeartbeatHandler(_catalog, _rebalancer);
        _leave = new LeaveGroupHandler(_catalog, _rebalancer);
        _commit = new OffsetCommitHandler(config, _catalog, _rebalancer, writer, partitionExists);
        _fetch = new OffsetFetchHandler(_catalog);
        _query = new GroupQueryHandler(_catalog);
        _deletion = new GroupDeletionHandler(_catalog, writer, partitionExists);
    }

    /// <summary>The APIs <see cref="TryHandle"/> answers.</summary>
    public static IReadOnlyList<ApiKey> HandledApiKeys { get; } =
    [
        ApiKey.OffsetCommit, ApiKey.OffsetFetch, ApiKey.JoinGroup, ApiKey.Heartbeat, ApiKey.LeaveGroup,
        ApiKey.SyncGroup, ApiKey.DescribeGroups, ApiKey.ListGroups, ApiKey.DeleteGroups, ApiKey.OffsetDelete,
    ];

    public GroupCoordinatorConfig Config { get; }

    /// <summary>The led partitions and their leader epochs, in partition order.</summary>
    public IReadOnlyDictionary<int, int> LedPartitions => _catalog.LedPartitions;

    /// <summary>What the last load of each led partition found.</summary>
    public IReadOnlyDictionary<int, GroupPartitionLoad> Loads => _loads;

    /// <summary>The earliest time <see cref="Tick"/> has something to do; null when nothing is scheduled.</summary>
    public long? NextDeadlineMs
    {
        get
        {
            long? groups = _timers.NextDeadlineMs();
            long? sweep = _retention.NextSweepMs;
            return groups is null ? sweep : sweep is null ? groups : Math.Min(groups.Value, sweep.Value);
        }
    }

    /// <summary>The <c>__consumer_offsets</c> partition of a group: FindCoordinator's answer is that partition's leader.</summary>
    public int PartitionFor(string groupId) => _catalog.PartitionFor(groupId);

    /// <summary>
    /// Tells the coordinator which offsets partitions this node leads now. A partition no longer led (or led in
    /// a new epoch, when another leader may have written to it meanwhile) is unloaded: its waiting members hear
    /// NOT_COORDINATOR. A newly led one is loaded from storage at once; its members' sessions start now.
    /// </summary>
    public void OnPartitionsLed(IReadOnlyList<LedOffsetsPartition> led, long nowMs, Effects effects)
    {
        var wanted = new SortedDictionary<int, int>();
        foreach (LedOffsetsPartition partition in led)
        {
            if (!wanted.TryAdd(partition.Partition, partition.LeaderEpoch)) throw new ArgumentException($"partition {partition.Partition} is listed twice", nameof(led));
        }
        foreach ((int partition, int epoch) in _catalog.LedPartitions.ToList())
        {
            if (wanted.TryGetValue(partition, out int wantedEpoch) && wantedEpoch == epoch) continue;
            foreach (ClassicGroup group in _catalog.StopLeading(partition)) _rebalancer.Unload(group, nowMs, effects);
            _loads.Remove(partition);
        }
        foreach ((int partition, int epoch) in wanted)
        {
            if (_catalog.LeaderEpochOf(partition) is not null) continue;
            _catalog.Lead(partition, epoch);
            (IReadOnlyList<ClassicGroup> groups, GroupPartitionLoad load) = _loader.Load(partition, nowMs);
            foreach (ClassicGroup group in groups)
            {
                _catalog.Add(group);
                foreach (GroupMember member in group.Members) _rebalancer.ScheduleHeartbeat(member, nowMs);
            }
            _loads[partition] = load;
        }
        _retention.Schedule(nowMs);
    }

    /// <summary>Handles a request of one of the <see cref="HandledApiKeys"/>; false for any other.</summary>
    public bool TryHandle(RequestContext context, IRequestBody body, long nowMs, Effects effects)
    {
        switch (body)
        {
            case JoinGroupRequest join: HandleJoinGroup(context, join, nowMs, effects); return true;
            case SyncGroupRequest sync: HandleSyncGroup(context, sync, nowMs, effects); return true;
            case HeartbeatRequest heartbeat: HandleHeartbeat(context, heartbeat, nowMs, effects); return true;
            case LeaveGroupRequest leave: HandleLeaveGroup(context, leave, nowMs, effects); return true;
            case OffsetCommitRequest commit: HandleOffsetCommit(context, commit, nowMs, effects); return true;
            case OffsetFetchRequest fetch: HandleOffsetFetch(context, fetch, nowMs, effects); return true;
            case DescribeGroupsRequest describe: HandleDescribeGroups(context, describe, nowMs, effects); return true;
            case ListGroupsRequest list: HandleListGroups(context, list, nowMs, effects); return true;
            case DeleteGroupsRequest delete: HandleDeleteGroups(context, delete, nowMs, effects); return true;
            case OffsetDeleteRequest offsetDelete: HandleOffsetDelete(context, offsetDelete, nowMs, effects); return true;
            default: return false;
        }
    }

    /// <summary>Answered at once with an error or MEMBER_ID_REQUIRED, otherwise parked until the rebalance completes.</summary>
    public void HandleJoinGroup(RequestContext context, JoinGroupRequest request, long nowMs, Effects effects) => _join.Handle(context, request, nowMs, effects);

    /// <summary>A follower's is parked until the leader's assignment is committed; the leader's answer waits for that write too.</summary>
    public void HandleSyncGroup(RequestContext context, SyncGroupRequest request, long nowMs, Effects effects) => _sync.Handle(context, request, nowMs, effects);

    public void HandleHeartbeat(RequestContext context, HeartbeatRequest request, long nowMs, Effects effects) => _heartbeat.Handle(context, request, nowMs, effects);

    public void HandleLeaveGroup(RequestContext context, LeaveGroupRequest request, long nowMs, Effects effects) => _leave.Handle(context, request, nowMs, effects);

    /// <summary>Answered once the offsets' records are committed (or the write failed).</summary>
    public void HandleOffsetCommit(RequestContext context, OffsetCommitRequest request, long nowMs, Effects effects) => _commit.Handle(context, request, nowMs, effects);

    public void HandleOffsetFetch(RequestContext context, OffsetFetchRequest request, long nowMs, Effects effects) => _fetch.Handle(context, request, effects);

    public void HandleDescribeGroups(RequestContext context, DescribeGroupsRequest request, long nowMs, Effects effects) => _query.HandleDescribe(context, request, effects);

    public void HandleListGroups(RequestContext context, ListGroupsRequest request, long nowMs, Effects effects) => _query.HandleList(context, request, effects);

    /// <summary>Answered once the tombstones are committed.</summary>
    public void HandleDeleteGroups(RequestContext context, DeleteGroupsRequest request, long nowMs, Effects effects) => _deletion.HandleDeleteGroups(context, request, nowMs, effects);

    /// <summary>Answered once the tombstones are committed.</summary>
    public void HandleOffsetDelete(RequestContext context, OffsetDeleteRequest request, long nowMs, Effects effects) => _deletion.HandleOffsetDelete(context, request, nowMs, effects);

    /// <summary>Expires sessions, pending members and rebalance deadlines that are due, and sweeps expired offsets.</summary>
    public void Tick(long nowMs, Effects effects)
    {
        _timers.Tick(nowMs, effects);
        _retention.Tick(nowMs, effects);
    }

    /// <summary>
    /// Forgets where to answer the JoinGroups and SyncGroups parked on the connection. The members still count
    /// as waiting, as in Kafka (which cannot see the disconnect); a member that is gone is removed by its
    /// session or by the rebalance's deadlines.
    /// </summary>
    public void OnConnectionClosed(ConnectionId connection)
    {
        if (_catalog.Count == 0) return; // a node coordinating no group has no waiter; the query below allocates
        foreach (GroupMember member in _catalog.All.SelectMany(group => group.Members))
        {
            if (member.JoinWaiter?.Connection == connection) member.JoinWaiter = null;
            if (member.SyncWaiter?.Connection == connection) member.SyncWaiter = null;
        }
    }

    /// <summary>Every group held, in group id order.</summary>
    public IReadOnlyList<GroupSnapshot> Snapshot() => _catalog.All.Select(SnapshotOf).ToList();

    private static GroupSnapshot SnapshotOf(ClassicGroup group) => new(
        group.GroupId,
        group.Partition,
        group.State,
        group.GenerationId,
        group.ProtocolType,
        group.ProtocolName,
        group.LeaderId,
        group.Members.Select(member => new MemberSnapshot(member.MemberId, member.GroupInstanceId, member.IsAwaitingJoin, member.IsAwaitingSync, member.AssignedGeneration, member.Assignment)).ToList(),
        group.PendingMemberCount,
        group.Offsets.Count);
}
