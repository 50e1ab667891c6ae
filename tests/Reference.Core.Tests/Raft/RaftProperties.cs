using FsCheck;
using FsCheck.Fluent;
using Reference.Core.Log;
using Reference.Core.Node;
using Reference.Core.Raft;
using Reference.Core.Tests.Raft.Harness;

namespace Reference.Core.Tests.Raft;

/// <summary>
/// Properties over random schedules, in the manner of Kafka's RaftEventSimulationTest (1-5 voters, 0-2
/// observers): messages delivered in any order, lost, flushes finishing late, nodes crashing, restarting and
/// cut off. <see cref="RaftInvariants"/> hold after every event; once the faults stop, a leader is elected and
/// everyone catches up. A failure names the seed and the last events.
/// </summary>
public sealed class RaftProperties
{
    /// <summary>Scheduling decisions per run: enough for several elections and crashes.</summary>
    private const int ScheduleStepCount = 2_000;

    private static readonly Gen<(int Seed, int Voters, int Observers)> s_clusters =
        from seed in Gen.Choose(0, int.MaxValue)
        from voters in Gen.Choose(1, 5)
        from observers in Gen.Choose(0, 2)
        select (seed, voters, observers);

    [Fact]
    public void RandomSchedulesKeepOneLeaderPerEpochAndNeverChangeACommittedBatch()
    {
        Prop.ForAll(Arb.From(s_clusters), run => RunRandomSchedule(run.Seed, run.Voters, run.Observers))
            .Check(Config.QuickThrowOnFailure.WithMaxTest(60));
    }

    [Theory]
    [InlineData(1, 3, 1)]
    [InlineData(2, 5, 2)]
    [InlineData(3, 2, 0)]
    [InlineData(463473415, 2, 1)] // a resigned leader resumed a candidacy in its own epoch and led it twice
    public void KnownSeedsStayGreen(int seed, int voters, int observers) => RunRandomSchedule(seed, voters, observers);

    private static void RunRandomSchedule(int seed, int voterCount, int observerCount)
    {
        var cluster = new RaftTestCluster(voterCount, observerCount, (ulong)seed);
        var random = new SplitMix64Random((ulong)seed);
        try
        {
            cluster.StartAll();
            int proposals = 0;
            for (int step = 0; step < ScheduleStepCount; step++) proposals += RandomStep(cluster, random, proposals);
            RecoverEverything(cluster);
            RaftTestNode leader = cluster.Leaders.Single();
            Assert.True(cluster.Invariants.CommittedBatchCount > 0);
            Assert.All(cluster.Nodes, node => Assert.Equal(leader.Replica.LogEndOffset, node.Replica.HighWatermark));
        }
        catch (Exception failure)
        {
            throw new InvalidOperationException($"seed {seed}, {voterCount} voters, {observerCount} observers: {failure.Message}\n{cluster}", failure);
        }
    }

    /// <summary>One scheduling decision, by weight; returns 1 when it made a proposal.</summary>
    private static int RandomStep(RaftTestCluster cluster, SplitMix64Random random, int proposals)
    {
        int roll = random.Next(1000);
        int eventCount = cluster.Events.Count;
        RaftTestNode anyNode = cluster.Nodes.ElementAt(random.Next(cluster.Nodes.Count()));
        switch (roll)
        {
            case < 700:
                if (eventCount > 0) cluster.DeliverAt(random.Next(eventCount));
                else cluster.AdvanceToNextDeadline(cluster.NowMs + 10_000);
                break;
            case < 730:
                if (eventCount > 0) cluster.DropAt(random.Next(eventCount));
                break;
            case < 880:
                cluster.AdvanceToNextDeadline(cluster.NowMs + 10_000);
                break;
            case < 960:
                if (cluster.Leaders.Count == 0) break;
                RaftTestNode leader = cluster.Leaders[random.Next(cluster.Leaders.Count)];
                return cluster.Propose(leader.Id, $"proposal {proposals}").IsAccepted ? 1 : 0;
            case < 965:
                if (anyNode.IsUp) cluster.Crash(anyNode.Id);
                break;
            case < 985:
                if (!anyNode.IsUp) cluster.Start(anyNode.Id);
                break;
            case < 990:
                cluster.Isolate(anyNode.Id);
                break;
            default:
                cluster.Heal();
                break;
        }
        return 0;
    }

    /// <summary>The faults stop: every node up and connected. A correct quorum then elects one leader and converges.</summary>
    private static void RecoverEverything(RaftTestCluster cluster)
    {
        cluster.Heal();
        foreach (RaftTestNode node in cluster.Nodes.Where(node => !node.IsUp).ToList()) cluster.Start(node.Id);
        bool converged = cluster.RunUntil(() => cluster.Leaders.Count == 1 && cluster.Nodes.All(node =>
            node.Replica.LeaderId == cluster.Leaders[0].Id && node.Replica.HighWatermark == cluster.Leaders[0].Replica.LogEndOffset), maxMs: 120_000);
        Assert.True(converged, "no convergence within 120 s of the faults stopping");
    }

    [Fact]
    public void MetadataLogEpochEndsAreWhatAScanOfTheLogSays()
    {
        // The log as a list of batch epochs (one offset per batch); the epoch cache under the metadata log,
        // with its answers for epochs the log does not hold, must say what a scan says.
        Gen<int[]> logs = Gen.Choose(0, 40).SelectMany(length => Gen.ArrayOf(Gen.Choose(0, 3), length))
            .Select(steps => steps.Aggregate(new List<int>(), (epochs, step) =>
            {
                epochs.Add((epochs.Count == 0 ? 0 : epochs[^1]) + step);
                return epochs;
            }).ToArray());
        Prop.ForAll(Arb.From(logs), Arb.From(Gen.Choose(-1, 130)), (epochs, asked) =>
        {
            var starts = new List<EpochStartOffset>();
            for (int offset = 0; offset < epochs.Length; offset++)
                if (starts.Count == 0 || starts[^1].Epoch != epochs[offset]) starts.Add(new EpochStartOffset(epochs[offset], offset));
            var log = new RaftLog(new EpochsOnlyStorage(epochs.Length, starts));
            log.Load();
            LeaderEpochEnd answer = log.EndOffsetForEpoch(asked);

            // An epoch older than all the log holds ends where the log starts (offset 0 here), in the epoch asked
            // about (Kafka's endOffsetFor); an empty log ends at 0 in epoch 0 (Kafka's lastFetchedEpoch).
            int? floorEpoch = epochs.Where(epoch => epoch <= asked).Select(epoch => (int?)epoch).DefaultIfEmpty(null).Max();
            LeaderEpochEnd expected = epochs.Length == 0 ? new LeaderEpochEnd(0, 0)
                : floorEpoch is not int floor ? new LeaderEpochEnd(asked, 0)
                : new LeaderEpochEnd(floor, epochs.Select((epoch, offset) => (epoch, offset)).Last(entry => entry.epoch == floor).offset + 1);
            Assert.Equal(expected, answer);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(500));
    }

    /// <summary>A metadata log that is only its extent and its epochs: all that <see cref="RaftLog.EndOffsetForEpoch"/> reads.</summary>
    private sealed class EpochsOnlyStorage(long endOffset, IReadOnlyList<EpochStartOffset> epochs) : ILogStorage
    {
        public Protocol.Primitives.Uuid DirectoryId => Protocol.Primitives.Uuid.Zero;

        public IReadOnlyList<TopicPartition> Logs => [RaftLog.Partition];

        public LogExtent Extent(TopicPartition log) => new(0, endOffset, endOffset);

        public IReadOnlyList<EpochStartOffset> LeaderEpochs(TopicPartition log) => epochs;

        public ReadOnlyMemory<byte> Read(TopicPartition log, long fromOffset, long endOffsetExclusive, int maxBytes) => throw new NotSupportedException();

        public IReadOnlyList<LogSegmentInfo> Segments(TopicPartition log) => throw new NotSupportedException();

        public long? OffsetForTimestamp(TopicPartition log, long timestampMs) => throw new NotSupportedException();

        public IReadOnlyList<SnapshotInfo> Snapshots(TopicPartition log) => [];

        public ReadOnlyMemory<byte> ReadSnapshot(TopicPartition log, OffsetAndEpoch snapshotId, long position, int maxBytes) => throw new NotSupportedException();
    }

    [Fact]
    public void MajorityOffsetIsTheLargestOffsetAMajorityHolds()
    {
        // etcd's quorum/quick_test.go checks its committed index against a dumb version; so do we.
        Gen<long[]> offsets = Gen.Choose(1, 7).SelectMany(count => Gen.ArrayOf(Gen.Choose(-1, 20).Select(o => (long)o), count));
        Prop.ForAll(Arb.From(offsets), values =>
        {
            var voters = new VoterSet(Enumerable.Range(1, values.Length));
            long answer = voters.MajorityOffset(id => values[id - 1]);
            long dumb = values.Where(candidate => values.Count(value => value >= candidate) >= voters.MajoritySize).Max();
            Assert.Equal(dumb, answer);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(500));
    }

    [Fact]
    public void OffsetAndEpochOrdersLogsAsRaftCompareThem()
    {
        Gen<(int Epoch, int Offset)> positions = Gen.Choose(-1, 5).SelectMany(epoch => Gen.Choose(0, 9).Select(offset => (epoch, offset)));
        Prop.ForAll(Arb.From(positions), Arb.From(positions), (left, right) =>
            {
                var a = new OffsetAndEpoch(left.Offset, left.Epoch);
                var b = new OffsetAndEpoch(right.Offset, right.Epoch);
                int expected = left.Epoch != right.Epoch ? left.Epoch.CompareTo(right.Epoch) : left.Offset.CompareTo(right.Offset);
                Assert.Equal(Math.Sign(expected), Math.Sign(a.CompareTo(b)));
                Assert.Equal(expected >= 0, a >= b);
            }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));
    }
}
