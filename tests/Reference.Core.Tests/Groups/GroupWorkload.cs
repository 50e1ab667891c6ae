using Reference.Core.Groups;
using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;
using static Reference.Core.Tests.Groups.GroupRequests;

namespace Reference.Core.Tests.Groups;

/// <summary>One step of a random workload: what kind, which client, and a small argument.</summary>
public readonly record struct WorkloadOp(int Kind, int Client, int Arg)
{
    /// <summary>Kind 0 makes the client do what a real client would do next; the others are chaos.</summary>
    public const int KindCount = 12;

    /// <summary>Mostly clients behaving (kind 0) and short waits (kind 6), so groups get far; chaos in between.</summary>
    public static FsCheck.Gen<int> Kinds { get; } = FsCheck.Fluent.Gen.Frequency(
        (12, FsCheck.Fluent.Gen.Constant(0)),
        (6, FsCheck.Fluent.Gen.Constant(6)),
        (5, FsCheck.Fluent.Gen.Elements(1, 2, 3, 4, 5, 7, 8, 9, 10, 11)));

    public override string ToString() => $"{Kind}/{Client}/{Arg}";
}

/// <summary>
/// Consumers that behave as real clients roughly do (rejoin when told, adopt the ids they are given, keep to
/// one request per connection at a time) driven by random operations, with the coordinator's safety
/// properties checked after every step. Clients 3 and 4 are static members.
/// </summary>
internal sealed class GroupWorkload
{
    private const string GroupId = "g";
    private const int Clients = 4;

    private static readonly short[] JoinVersions = [0, 3, 5, 7, 9, 5];

    private readonly GroupHarness _harness;
    private readonly Client[] _clients;
    private readonly Dictionary<long, RequestContext> _outstanding = [];
    private readonly HashSet<(long, int)> _answered = [];
    private readonly Dictionary<int, (string? Leader, string? Protocol)> _generations = [];
    private readonly HashSet<long> _closed = [];
    private int _lastGeneration;
    private long _nextConnection = 100;

    public GroupWorkload(ulong seed, int initialRebalanceDelayMs = GroupHarness.InitialDelayMs)
    {
        var config = new GroupCoordinatorConfig { OffsetsTopicNumPartitions = GroupHarness.Partitions, GroupInitialRebalanceDelayMs = initialRebalanceDelayMs };
        _harness = new GroupHarness(config, seed);
        _clients = Enumerable.Range(1, Clients).Select(i => new Client(i, i >= 3 ? $"static-{i}" : null)).ToArray();
        foreach (Client client in _clients) client.Connection = _nextConnection++;
    }

    public List<NodeEffect.Respond> Transcript => _harness.Transcript;

    private sealed class Client(int index, string? instanceId)
    {
        public int Index { get; } = index;
        public string? InstanceId { get; } = instanceId;
        public long Connection { get; set; }
        public string MemberId { get; set; } = "";
        public int GenerationId { get; set; } = -1;
        public string LeaderId { get; set; } = "";
        public List<string> Members { get; set; } = [];

        public bool IsLeader => MemberId.Length > 0 && LeaderId == MemberId;

        /// <summary>What a real client does next: join (again), fetch its assignment, or heartbeat.</summary>
        public Phase Next { get; set; } = Phase.Join;
    }

    private enum Phase
    {
        Join,
        Sync,
        Heartbeat,
    }

    public void Run(IEnumerable<WorkloadOp> ops)
    {
        foreach (WorkloadOp op in ops) Apply(op);
        // Quiesce: every write completes, time runs past every timeout; every request must have been answered.
        _harness.Appender.Hold = false;
        Observe(_harness.Release());
        Observe(RunFor(_harness.Config.NewMemberJoinTimeoutMs + 2 * GroupHarness.RebalanceTimeoutMs));
        Assert.True(_outstanding.Keys.All(_closed.Contains), $"unanswered: {string.Join(", ", _outstanding.Keys.Where(c => !_closed.Contains(c)))}");
    }

    private void Apply(WorkloadOp op)
    {
        Client client = _clients[(op.Client - 1) % Clients];
        bool busy = _outstanding.ContainsKey(client.Connection);
        switch (op.Kind)
        {
            case 0 when !busy: Act(client, op.Arg); break;
            case 1 when !busy: SendJoin(client, op.Arg); break;
            case 2 when !busy: Send(client, (short)op.Arg, Sync(GroupId, client.GenerationId, client.MemberId, client.InstanceId, Assignments(client))); break;
            case 3 when !busy: Send(client, (short)(op.Arg % 5), Heartbeat(GroupId, client.GenerationId, client.MemberId, client.InstanceId)); break;
            case 4 when !busy: Send(client, (short)op.Arg, Leave(GroupId, (client.MemberId, client.InstanceId))); break;
            case 5 when !busy: Send(client, (short)(op.Arg + 3), Commit(GroupId, client.GenerationId, client.MemberId, ("orders", op.Arg, op.Arg * 10))); break;
            case 6: Observe(RunFor(op.Arg * 700)); break;
            case 7: Observe(RunFor(op.Arg * 6_000)); break;
            case 8 when !busy && client.InstanceId is not null:
                client.MemberId = "";
                SendJoin(client, op.Arg);
                break;
            case 9:
                _harness.Appender.Hold = !_harness.Appender.Hold;
                if (!_harness.Appender.Hold) Observe(_harness.Release());
                break;
            case 10:
                _closed.Add(client.Connection);
                _harness.Coordinator.OnConnectionClosed(new ConnectionId(client.Connection));
                client.Connection = _nextConnection++;
                break;
            case 11 when !busy && op.Arg % 2 == 0: Send(client, 4, new DescribeGroupsRequest { Groups = [GroupId] }); break;
            case 11 when !busy: Send(client, 1, new DeleteGroupsRequest { GroupsNames = [GroupId] }); break;
        }
    }

    private void Act(Client client, int arg)
    {
        switch (client.Next)
        {
            case Phase.Join: SendJoin(client, arg); break;
            case Phase.Sync: Send(client, (short)arg, Sync(GroupId, client.GenerationId, client.MemberId, client.InstanceId, Assignments(client))); break;
            case Phase.Heartbeat when arg % 2 == 0: Send(client, (short)(arg + 3), Commit(GroupId, client.GenerationId, client.MemberId, ("orders", arg, arg * 10))); break;
            case Phase.Heartbeat: Send(client, (short)(arg % 5), Heartbeat(GroupId, client.GenerationId, client.MemberId, client.InstanceId)); break;
        }
    }

    private void SendJoin(Client client, int arg) => Send(client, JoinVersions[arg % JoinVersions.Length], Join(GroupId, client.MemberId, client.InstanceId));

    private (string, byte[])[] Assignments(Client client) =>
        client.IsLeader ? client.Members.Select((member, i) => (member, Assignment("orders", i))).ToArray() : [];

    private void Send(Client client, short version, IRequestBody body)
    {
        List<NodeEffect.Respond> responses = _harness.Send(client.Connection, version, body);
        _outstanding[client.Connection] = _harness.LastRequest!;
        Observe(responses);
    }

    private List<NodeEffect.Respond> RunFor(long durationMs)
    {
        long endMs = _harness.NowMs + durationMs;
        var responses = new List<NodeEffect.Respond>();
        for (int wakeups = 0; ; wakeups++)
        {
            Assert.True(wakeups < 10_000, "the coordinator keeps asking to be woken");
            long? next = _harness.Coordinator.NextDeadlineMs;
            Assert.True(next is null || next >= _harness.NowMs, $"a deadline {next} is already past at {_harness.NowMs}");
            if (next is null || next > endMs) break;
            bool sameTime = next == _harness.NowMs;
            responses.AddRange(_harness.Advance(next.Value - _harness.NowMs));
            // A wake-up that does not move time must settle what is due, or the node would spin.
            if (sameTime) Assert.True((_harness.Coordinator.NextDeadlineMs ?? long.MaxValue) > _harness.NowMs, "a tick leaves work due now");
        }
        responses.AddRange(_harness.Advance(endMs - _harness.NowMs));
        return responses;
    }

    private void Observe(List<NodeEffect.Respond> responses)
    {
        foreach (NodeEffect.Respond response in responses)
        {
            long connection = response.Context.Connection.Value;
            Assert.True(_answered.Add((connection, response.Context.CorrelationId)), $"request {response.Context.CorrelationId} answered twice");
            _outstanding.Remove(connection);
            if (_clients.FirstOrDefault(c => c.Connection == connection) is Client client) Learn(client, response.Body);
        }
        CheckInvariants();
    }

    private void Learn(Client client, IResponseBody body)
    {
        ErrorCode error = body switch
        {
            JoinGroupResponse join => (ErrorCode)join.ErrorCode,
            SyncGroupResponse sync => (ErrorCode)sync.ErrorCode,
            HeartbeatResponse heartbeat => (ErrorCode)heartbeat.ErrorCode,
            OffsetCommitResponse commit => (ErrorCode)commit.Topics[0].Partitions[0].ErrorCode,
            _ => ErrorCode.None,
        };
        switch (body, error)
        {
            case (JoinGroupResponse joined, ErrorCode.None):
                client.MemberId = joined.MemberId;
                client.GenerationId = joined.GenerationId;
                client.LeaderId = joined.Leader;
                client.Members = joined.Members.Select(member => member.MemberId).ToList();
                client.Next = Phase.Sync;
                RecordGeneration(joined);
                break;
            case (JoinGroupResponse required, ErrorCode.MemberIdRequired):
                client.MemberId = required.MemberId;
                client.Next = Phase.Join;
                break;
            case (SyncGroupResponse, ErrorCode.None):
                client.Next = Phase.Heartbeat;
                break;
            case (_, ErrorCode.UnknownMemberId or ErrorCode.FencedInstanceId):
                client.MemberId = "";
                client.GenerationId = -1;
                client.Next = Phase.Join;
                break;
            case (_, ErrorCode.RebalanceInProgress or ErrorCode.IllegalGeneration):
                client.Next = Phase.Join;
                break;
        }
    }

    /// <summary>Every member told it is in a generation hears the same protocol, and at most one member is told it leads it.</summary>
    private void RecordGeneration(JoinGroupResponse joined)
    {
        if (!_generations.TryGetValue(joined.GenerationId, out var seen)) _generations[joined.GenerationId] = seen = (null, joined.ProtocolName);
        Assert.Equal(seen.Protocol, joined.ProtocolName);
        // A KIP-814 answer tells a restarted static leader it leads, without a new generation: it takes over the old id's role.
        if (joined.Leader != joined.MemberId || joined.SkipAssignment) return;
        Assert.True(seen.Leader is null || seen.Leader == joined.MemberId, $"generation {joined.GenerationId} has two leaders: {seen.Leader} and {joined.MemberId}");
        _generations[joined.GenerationId] = (joined.MemberId, seen.Protocol);
    }

    private void CheckInvariants()
    {
        GroupSnapshot? group = _harness.Coordinator.Snapshot().SingleOrDefault(g => g.GroupId == GroupId);
        if (group is null)
        {
            // Deleted (DeleteGroups, or expired empty): a group of that name starts again from generation 0.
            _lastGeneration = 0;
            _generations.Clear();
            return;
        }
        Assert.True(group.GenerationId >= _lastGeneration, $"generation went from {_lastGeneration} to {group.GenerationId}");
        _lastGeneration = group.GenerationId;
        Assert.Equal(group.Members.Count == 0, group.LeaderId is null);
        Assert.True(group.LeaderId is null || group.Members.Count(member => member.MemberId == group.LeaderId) == 1, "the leader is exactly one member");
        Assert.Equal(group.Members.Count, group.Members.Select(member => member.MemberId).Distinct().Count());
        var instances = group.Members.Where(member => member.GroupInstanceId is not null).Select(member => member.GroupInstanceId).ToList();
        Assert.Equal(instances.Count, instances.Distinct().Count());
        if (group.State == GroupState.Stable) Assert.All(group.Members, member => Assert.Equal(group.GenerationId, member.AssignedGeneration));
        if (group.State == GroupState.Empty) Assert.Empty(group.Members);
    }
}
