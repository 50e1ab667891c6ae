using Reference.Core.Groups;
using Reference.Core.Node;
using Reference.Core.Replication;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;
using Reference.Protocol.Records;
using Reference.Simulation.Storage;

namespace Reference.Core.Tests.Groups;

/// <summary>
/// Stands in for the replication room: appends to the in-memory disk with real offsets, and says the batch is
/// committed either at once or when the test releases it; or fails every append with a chosen error.
/// </summary>
internal sealed class TestAppender(MemoryLogStorage storage) : IPartitionAppender
{
    private readonly List<(AppendOutcome Outcome, Action<AppendOutcome, Effects> Callback)> _held = [];

    /// <summary>Hold callbacks until <see cref="Release"/> instead of committing at once.</summary>
    public bool Hold { get; set; }

    /// <summary>Fail appends with this error instead of writing (0: write).</summary>
    public short FailWith { get; set; }

    public int Appends { get; private set; }

    public int HeldCount => _held.Count;

    public void AppendAsLeader(TopicPartition partition, ReadOnlyMemory<byte> batch, long nowMs, Effects effects, Action<AppendOutcome, Effects> onCommitted)
    {
        Appends++;
        AppendOutcome outcome;
        if (FailWith != 0)
        {
            outcome = new AppendOutcome(FailWith, -1, -1, nowMs);
        }
        else
        {
            long baseOffset = storage.Extent(partition).EndOffset;
            byte[] copy = batch.ToArray();
            long nextOffset = RecordBatchPatch.AssignOffsets(copy, baseOffset, partitionLeaderEpoch: 0);
            Assert.True(storage.Apply(new NodeEffect.AppendToLog(partition, baseOffset, copy)));
            outcome = new AppendOutcome(0, baseOffset, nextOffset - 1, nowMs);
        }
        if (Hold) _held.Add((outcome, onCommitted));
        else onCommitted(outcome, effects);
    }

    /// <summary>Commits (or fails) every held append, oldest first, in a step at <paramref name="nowMs"/>.</summary>
    public void Release(long nowMs, Effects effects)
    {
        var held = _held.ToList();
        _held.Clear();
        foreach ((AppendOutcome outcome, Action<AppendOutcome, Effects> callback) in held) callback(outcome with { CompletedAtMs = nowMs }, effects);
    }
}

/// <summary>
/// One coordinator on an in-memory disk, driven the way the node will drive it: each call is one step, and
/// returns the responses that step produced (answers to parked requests included).
/// </summary>
internal sealed class GroupHarness
{
    public const int Partitions = 4;
    public const int SessionTimeoutMs = 10_000;
    public const int RebalanceTimeoutMs = 20_000;
    public const int InitialDelayMs = 3_000;

    private readonly ulong _seed;
    private int _correlationId;

    public GroupHarness(GroupCoordinatorConfig? config = null, ulong seed = 42, bool lead = true)
    {
        _seed = seed;
        Config = config ?? new GroupCoordinatorConfig
        {
            OffsetsTopicNumPartitions = Partitions,
            GroupInitialRebalanceDelayMs = InitialDelayMs,
        };
        Storage = new MemoryLogStorage();
        Appender = new TestAppender(Storage);
        Coordinator = NewCoordinator();
        if (lead) LeadAll();
    }

    public GroupCoordinatorConfig Config { get; }

    public MemoryLogStorage Storage { get; }

    public TestAppender Appender { get; }

    public GroupCoordinator Coordinator { get; private set; }

    public long NowMs { get; set; } = 1_000;

    /// <summary>Topics the "metadata image" knows; commits to others are refused.</summary>
    public HashSet<string> Topics { get; } = ["orders", "payments", "audit"];

    /// <summary>Every response of every step so far, in order: a transcript of the run.</summary>
    public List<NodeEffect.Respond> Transcript { get; } = [];

    public List<NodeEffect.Respond> LeadAll(int leaderEpoch = 0) =>
        Step(effects => Coordinator.OnPartitionsLed(Enumerable.Range(0, Config.OffsetsTopicNumPartitions).Select(p => new LedOffsetsPartition(p, leaderEpoch)).ToList(), NowMs, effects));

    /// <summary>A fresh coordinator over the same disk, as after a restart or a leadership move.</summary>
    public void Restart(int leaderEpoch = 1)
    {
        Coordinator = NewCoordinator();
        LeadAll(leaderEpoch);
    }

    public RequestContext Context(long connection, short version, string clientId = "client") =>
        new(new ConnectionId(connection), ListenerKind.Broker, ++_correlationId, version, clientId, "/10.0.0." + connection, NowMs);

    /// <summary>The context of the last request <see cref="Send"/> handed over.</summary>
    public RequestContext? LastRequest { get; private set; }

    public List<NodeEffect.Respond> Send(long connection, short version, IRequestBody body, string clientId = "client")
    {
        RequestContext context = Context(connection, version, clientId);
        LastRequest = context;
        // Every request goes over the wire and back, so the test exercises the version's real fields.
        IRequestBody decoded = RoundTrip(body, version);
        return Step(effects => Assert.True(Coordinator.TryHandle(context, decoded, NowMs, effects)));
    }

    public List<NodeEffect.Respond> Advance(long ms)
    {
        NowMs += ms;
        return Step(effects => Coordinator.Tick(NowMs, effects));
    }

    /// <summary>Advances to each deadline the coordinator asks for, up to <paramref name="durationMs"/> from now.</summary>
    public List<NodeEffect.Respond> RunFor(long durationMs)
    {
        long endMs = NowMs + durationMs;
        var responses = new List<NodeEffect.Respond>();
        for (int wakeups = 0; wakeups < 10_000; wakeups++)
        {
            long? next = Coordinator.NextDeadlineMs;
            if (next is null || next > endMs) break;
            NowMs = Math.Max(NowMs, next.Value);
            responses.AddRange(Step(effects => Coordinator.Tick(NowMs, effects)));
        }
        NowMs = Math.Max(NowMs, endMs);
        responses.AddRange(Step(effects => Coordinator.Tick(NowMs, effects)));
        return responses;
    }

    /// <summary>Advances from deadline to deadline until <paramref name="connection"/> is answered (a parked JoinGroup, say).</summary>
    public List<NodeEffect.Respond> RunUntilAnswered(long connection, long maxMs = 120_000)
    {
        long endMs = NowMs + maxMs;
        var responses = new List<NodeEffect.Respond>();
        while (!responses.AnyFor(connection))
        {
            long? next = Coordinator.NextDeadlineMs;
            Assert.True(next is not null && next <= endMs, $"connection {connection} is still unanswered at {NowMs} ms");
            NowMs = Math.Max(NowMs, next!.Value);
            responses.AddRange(Step(effects => Coordinator.Tick(NowMs, effects)));
        }
        return responses;
    }

    public List<NodeEffect.Respond> Release() => Step(effects => Appender.Release(NowMs, effects));

    public GroupSnapshot Group(string groupId) => Coordinator.Snapshot().Single(group => group.GroupId == groupId);

    public bool HasGroup(string groupId) => Coordinator.Snapshot().Any(group => group.GroupId == groupId);

    public List<NodeEffect.Respond> Step(Action<Effects> action)
    {
        var effects = new Effects();
        action(effects);
        var responses = effects.Drain().OfType<NodeEffect.Respond>().ToList();
        foreach (NodeEffect.Respond response in responses)
        {
            // Each response must encode in the version it was asked in.
            MessageBytes.Encode(response.Body, response.Context.ApiVersion);
        }
        Transcript.AddRange(responses);
        return responses;
    }

    private GroupCoordinator NewCoordinator() =>
        new(Config, Storage, Appender, new SplitMix64Random(_seed), partition => Topics.Contains(partition.Topic) && partition.Partition is >= 0 and < 8);

    private static IRequestBody RoundTrip(IRequestBody body, short version)
    {
        byte[] bytes = MessageBytes.Encode(body, version);
        var reader = new ProtocolReader(bytes);
        IRequestBody decoded = ApiMessages.ReadRequest(body.ApiKey, version, ref reader);
        reader.ExpectEnd(body.ApiKey.ToString());
        return decoded;
    }
}

/// <summary>Picking responses out of a step's output.</summary>
internal static class StepResponses
{
    public static T For<T>(this IEnumerable<NodeEffect.Respond> responses, long connection) where T : IResponseBody =>
        Assert.IsType<T>(Assert.Single(responses, response => response.Context.Connection.Value == connection).Body);

    public static bool AnyFor(this IEnumerable<NodeEffect.Respond> responses, long connection) =>
        responses.Any(response => response.Context.Connection.Value == connection);
}
