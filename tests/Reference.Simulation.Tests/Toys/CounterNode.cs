using Reference.Core;
using Reference.Core.Log;
using Reference.Core.Node;
using Reference.Protocol.Messages;
using Reference.Protocol.Records;

namespace Reference.Simulation.Tests.Toys;

/// <summary>
/// A toy node, not Kafka: every <see cref="IntervalMs"/> it appends one record (the next number) to its log
/// and asks for a flush; when a flush completes it "promises" the durable count by persisting it as the
/// quorum state's epoch. On every start it checks its disk: the records read back are 0, 1, 2... and there
/// are at least as many as it promised. With <paramref name="promiseBeforeFlush"/> it promises at append
/// time instead (the persist-before-you-promise bug), which a crash that loses unflushed data exposes. With
/// <paramref name="verifyEveryTick"/> it also reads its whole log back on every tick, so a rotted byte is
/// read while it runs.
/// </summary>
public sealed class CounterNode(NodeConfig config, ILogStorage storage, QuorumStateData? persisted, bool promiseBeforeFlush, bool verifyEveryTick) : INode
{
    public const long IntervalMs = 50;
    public static readonly TopicPartition Log = new("toy-counter", 0);

    public static NodeImplementation Correct { get; } = new("toy.counter", (c, s, q, _) => new CounterNode(c, s, q, false, false));
    public static NodeImplementation PromisesBeforeFlush { get; } = new("toy.counter-promise-before-flush", (c, s, q, _) => new CounterNode(c, s, q, true, false));
    public static NodeImplementation Verifying { get; } = new("toy.counter-verifying", (c, s, q, _) => new CounterNode(c, s, q, false, true));

    public int NodeId => config.NodeId;
    public long Promised { get; private set; } = persisted?.LeaderEpoch is int epoch and >= 0 ? epoch : 0;
    public long Written { get; private set; }

    public IReadOnlyList<NodeEffect> Handle(NodeInput input)
    {
        var effects = new List<NodeEffect>();
        switch (input)
        {
            case NodeInput.Started started:
                Written = CheckDisk();
                effects.Add(new NodeEffect.WakeAt(started.NowMs + IntervalMs));
                break;
            case NodeInput.TimeAdvanced time:
                if (verifyEveryTick) CheckDisk();
                effects.Add(new NodeEffect.AppendToLog(Log, Written, Batch(Written, time.NowMs)));
                Written++;
                effects.Add(new NodeEffect.FlushLog(Log));
                if (promiseBeforeFlush) Promise(Written, effects);
                effects.Add(new NodeEffect.WakeAt(time.NowMs + IntervalMs));
                break;
            case NodeInput.LogFlushed flushed when !promiseBeforeFlush && flushed.DurableEndOffset > Promised:
                Promise(flushed.DurableEndOffset, effects);
                break;
        }
        return effects;
    }

    private void Promise(long count, List<NodeEffect> effects)
    {
        Promised = count;
        effects.Add(new NodeEffect.PersistQuorumState(new QuorumStateData { LeaderEpoch = (int)count }));
    }

    /// <summary>What a start must find: consecutive numbers from 0, at least as many as were promised.</summary>
    private long CheckDisk()
    {
        LogExtent extent = storage.Extent(Log);
        var walker = new RecordBatchWalker(storage.Read(Log, 0, extent.EndOffset, int.MaxValue));
        long expected = 0;
        while (walker.TryNext(out RecordBatchView batch))
        {
            if (batch.Header.BaseOffset != expected) throw new InvalidOperationException($"n{NodeId} read offset {batch.Header.BaseOffset}, expected {expected}");
            expected++;
        }
        if (expected != extent.EndOffset) throw new InvalidOperationException($"n{NodeId} read {expected} records of {extent.EndOffset}");
        if (expected < Promised) throw new InvalidOperationException($"n{NodeId} promised {Promised} records but its disk holds {expected}");
        return expected;
    }

    private static byte[] Batch(long offset, long nowMs) =>
        new RecordBatchBuilder(new RecordBatchOptions { BaseOffset = offset, PartitionLeaderEpoch = 0 })
            .Append(nowMs, key: null, value: BitConverter.GetBytes(offset)).Build();
}
