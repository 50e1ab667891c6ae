using Reference.Core.Node;
using Reference.Core.Raft;
using Reference.Core.Tests.Raft.Harness;
using Reference.Protocol;
using Reference.Protocol.Messages;
using Reference.Protocol.Records;
using Reference.Simulation.Storage;

namespace Reference.Core.Tests.Raft;

/// <summary>
/// KIP-630 in the Raft replica: the snapshot file's layout and checks, creating a snapshot at a committed
/// offset, its durability, the log start moving up to it, loading at restart, and FetchSnapshot from both
/// sides (the leader serving chunks, the follower downloading and installing).
/// </summary>
public sealed class SnapshotTests
{
    private const int FollowerId = 2;
    private static readonly TopicPartition Metadata = TopicPartition.ClusterMetadata;

    private static byte[] SnapshotBytes(OffsetAndEpoch id, int records = 3) =>
        SnapshotFormat.Build(id, 0, Enumerable.Range(0, records).Select(i => (ReadOnlyMemory<byte>)new byte[] { (byte)i, 42 }).ToList());

    /// <summary>
    /// A sole voter whose log holds epochs 1, 1, 2, 2, 2 and which leads epoch 3 from offset 5 (its LeaderChange),
    /// everything committed. <paramref name="retentionBytes"/> is metadata.max.retention.bytes.
    /// </summary>
    private static ReplicaUnderTest SoleLeader(long retentionBytes = 0, int voterCount = 1)
    {
        var leader = new ReplicaUnderTest(nodeId: 1, voterCount, ReplicaUnderTest.StorageWithBatches(1, 1, 2, 2, 2),
            configure: config => config with { MetadataMaxRetentionBytes = retentionBytes });
        leader.Storage.Apply(new NodeEffect.PersistQuorumState(ReplicaUnderTest.State(epoch: 2, leaderId: 1, votedId: 1)));
        leader.Start();
        leader.Flush();
        Assert.Equal((QuorumStateKind.Leader, 3, 6L, 6L), (leader.Replica.State, leader.Replica.Epoch, leader.Replica.LogEndOffset, leader.Replica.HighWatermark));
        return leader;
    }

    private static IReadOnlyList<NodeEffect> CreateSnapshot(ReplicaUnderTest replica, OffsetAndEpoch id, out bool accepted)
    {
        bool result = false;
        IReadOnlyList<NodeEffect> effects = replica.Step((raft, fx) => result = raft.TryCreateSnapshot(id, SnapshotBytes(id), fx));
        accepted = result;
        return effects;
    }

    /// <summary>The sole leader with a durable snapshot at <paramref name="id"/> and the log start moved up to it.</summary>
    private static ReplicaUnderTest LeaderWithFlushedSnapshot(OffsetAndEpoch id, long retentionBytes = 0)
    {
        ReplicaUnderTest leader = SoleLeader(retentionBytes);
        CreateSnapshot(leader, id, out bool accepted);
        Assert.True(accepted);
        leader.Flush();
        return leader;
    }

    [Fact]
    public void SnapshotFileReadsBackItsRecordsBetweenHeaderAndFooter()
    {
        byte[] snapshot = SnapshotBytes(new OffsetAndEpoch(10, 2), records: 1200);
        SnapshotReadResult read = SnapshotFormat.Read(snapshot);

        Assert.True(read.IsValid, read.Error);
        Assert.Equal(1200, read.RecordValues.Count);
        Assert.Equal(new byte[] { 7, 42 }, read.RecordValues[7].ToArray());
    }

    [Fact]
    public void SnapshotWithAnyByteRottedOrCutIsRefused()
    {
        byte[] snapshot = SnapshotBytes(new OffsetAndEpoch(10, 2));
        // RecordBatch v2's CRC does not cover a batch's PartitionLeaderEpoch (bytes 12-15), in Kafka either; every other byte counts.
        var epochBytes = new HashSet<int>();
        var walker = new RecordBatchWalker(snapshot);
        while (walker.TryNext(out RecordBatchView batch)) epochBytes.UnionWith(Enumerable.Range(batch.PositionBytes + 12, 4));
        for (int i = 0; i < snapshot.Length; i++)
        {
            if (epochBytes.Contains(i)) continue;
            byte[] rotted = snapshot.ToArray();
            rotted[i] ^= 0x10;
            SnapshotReadResult read = SnapshotFormat.Read(rotted);
            // A flip in a batch's base offset or length breaks offsets or framing instead; either way it is refused.
            Assert.False(read.IsValid, $"a flip at byte {i} went unnoticed");
        }
        Assert.False(SnapshotFormat.Read(snapshot.AsMemory(0, snapshot.Length - 1)).IsValid);
        Assert.False(SnapshotFormat.Read(snapshot.AsMemory(0, 0)).IsValid);
    }

    [Fact]
    public void SnapshotPastTheHighWatermarkOrNotAheadOfTheLatestIsRefused()
    {
        ReplicaUnderTest leader = SoleLeader(retentionBytes: -1);
        CreateSnapshot(leader, new OffsetAndEpoch(7, 3), out bool pastHighWatermark);
        IReadOnlyList<NodeEffect> written = CreateSnapshot(leader, new OffsetAndEpoch(4, 2), out bool committed);
        leader.Flush();
        CreateSnapshot(leader, new OffsetAndEpoch(3, 2), out bool older);

        Assert.False(pastHighWatermark);
        Assert.True(committed);
        Assert.False(older);
        Assert.Contains(written, e => e is NodeEffect.WriteSnapshot { SnapshotId: { Offset: 4, Epoch: 2 } });
        Assert.IsType<NodeEffect.FlushLog>(written[^1]);
    }

    [Fact]
    public void SnapshotCountsOnlyOnceFlushedAndThenTheLogStartMovesUpToIt()
    {
        ReplicaUnderTest leader = SoleLeader(retentionBytes: 0);
        CreateSnapshot(leader, new OffsetAndEpoch(4, 2), out _);
        Assert.Empty(leader.Replica.SnapshotIds);
        Assert.Equal(0, leader.Replica.LogStartOffset);

        IReadOnlyList<NodeEffect> flushed = leader.Flush();

        Assert.Equal([new OffsetAndEpoch(4, 2)], leader.Replica.SnapshotIds);
        Assert.Equal(4, leader.Replica.LogStartOffset);
        Assert.Contains(flushed, e => e is NodeEffect.AdvanceLogStart { NewStartOffset: 4 });
        Assert.Equal(4, leader.Storage.Extent(Metadata).StartOffset);
    }

    [Fact]
    public void LogStartStaysWhileTheLogIsWithinRetention()
    {
        ReplicaUnderTest leader = SoleLeader(retentionBytes: 1L << 20);
        CreateSnapshot(leader, new OffsetAndEpoch(4, 2), out _);
        leader.Flush();

        Assert.Equal([new OffsetAndEpoch(4, 2)], leader.Replica.SnapshotIds);
        Assert.Equal(0, leader.Replica.LogStartOffset);
    }

    [Fact]
    public void NewerSnapshotReplacesTheOlderOnceTheLogStartPassesIt()
    {
        ReplicaUnderTest leader = SoleLeader(retentionBytes: 0);
        CreateSnapshot(leader, new OffsetAndEpoch(2, 1), out _);
        leader.Flush();
        CreateSnapshot(leader, new OffsetAndEpoch(6, 3), out _);
        IReadOnlyList<NodeEffect> flushed = leader.Flush();

        Assert.Equal([new OffsetAndEpoch(6, 3)], leader.Replica.SnapshotIds);
        Assert.Contains(flushed, e => e is NodeEffect.DeleteSnapshot { SnapshotId: { Offset: 2 } });
        Assert.Single(leader.Storage.Snapshots(Metadata));
    }

    [Fact]
    public void UnflushedSnapshotIsLostInACrash()
    {
        ReplicaUnderTest leader = SoleLeader(retentionBytes: 0);
        CreateSnapshot(leader, new OffsetAndEpoch(4, 2), out _);
        leader.CrashAndRestart();

        Assert.Empty(leader.Storage.Snapshots(Metadata));
        Assert.Empty(leader.Replica.SnapshotIds);
        Assert.Equal(0, leader.Replica.LogStartOffset);
    }

    [Fact]
    public void RestartLoadsTheLatestSnapshotAsCommittedState()
    {
        ReplicaUnderTest leader = LeaderWithFlushedSnapshot(new OffsetAndEpoch(4, 2));
        leader.CrashAndRestart();

        Assert.Equal(new OffsetAndEpoch(4, 2), leader.Replica.LatestSnapshotId);
        Assert.Equal(4, leader.Replica.LogStartOffset);
        Assert.True(leader.Replica.HighWatermark >= 4, $"high watermark {leader.Replica.HighWatermark}");
    }

    [Fact]
    public void CorruptedSnapshotIsNeitherLoadedNorServed()
    {
        ReplicaUnderTest leader = SoleLeader(retentionBytes: -1);
        var id = new OffsetAndEpoch(4, 2);
        CreateSnapshot(leader, id, out _);
        leader.Flush();
        Assert.True(leader.Storage.CorruptSnapshotByte(Metadata, id, 80, 0x01));
        leader.CrashAndRestart();

        Assert.Empty(leader.Replica.SnapshotIds);
        leader.Flush();
        FetchSnapshotResponse answer = ReplicaUnderTest.ResponseIn<FetchSnapshotResponse>(
            leader.Receive(SnapshotMessages.Request(RaftTestCluster.ClusterId, 7, leader.Replica.Epoch, id, 0, 1000), SnapshotMessages.FetchSnapshotVersion));
        Assert.Equal((short)ErrorCode.SnapshotNotFound, answer.Topics[0].Partitions[0].ErrorCode);
    }

    [Fact]
    public void SnapshotRottedAfterItWasWrittenIsNotServed()
    {
        var id = new OffsetAndEpoch(4, 2);
        ReplicaUnderTest leader = LeaderWithFlushedSnapshot(id);
        Assert.Equal((short)ErrorCode.None, ServeChunk(leader, id, 0, 100).ErrorCode);
        Assert.True(leader.Storage.CorruptSnapshotByte(Metadata, id, 80, 0x01));

        Assert.Equal((short)ErrorCode.SnapshotNotFound, ServeChunk(leader, id, 0, 100).ErrorCode);
    }

    [Fact]
    public void LogStartWithoutAnIntactSnapshotRefusesToStart()
    {
        var id = new OffsetAndEpoch(4, 2);
        ReplicaUnderTest leader = LeaderWithFlushedSnapshot(id);
        leader.Storage.CorruptSnapshotByte(Metadata, id, 80, 0x01);

        var error = Assert.Throws<InvalidOperationException>(() => leader.CrashAndRestart());
        Assert.Contains("no intact snapshot", error.Message);
    }

    [Fact]
    public void FetchBelowTheLogStartIsToldTheLatestSnapshot()
    {
        ReplicaUnderTest leader = LeaderWithFlushedSnapshot(new OffsetAndEpoch(4, 2));

        FetchResponse.PartitionData answer = ReplicaUnderTest.ResponseIn<FetchResponse>(leader.Receive(
            RaftMessages.FetchRequest(RaftTestCluster.ClusterId, 7, 3, fetchOffset: 1, lastFetchedEpoch: 1, 0), RaftMessages.FetchVersion)).Responses[0].Partitions[0];

        Assert.Equal((short)ErrorCode.None, answer.ErrorCode);
        Assert.Equal((4L, 2), (answer.SnapshotId!.EndOffset, answer.SnapshotId.Epoch));
        Assert.Null(answer.DivergingEpoch);
        Assert.Equal(4, answer.LogStartOffset);
    }

    [Fact]
    public void FetchAtTheSnapshotInItsEpochIsServedFromTheLog()
    {
        ReplicaUnderTest leader = LeaderWithFlushedSnapshot(new OffsetAndEpoch(4, 2));

        FetchResponse.PartitionData answer = ReplicaUnderTest.ResponseIn<FetchResponse>(leader.Receive(
            RaftMessages.FetchRequest(RaftTestCluster.ClusterId, 7, 3, fetchOffset: 4, lastFetchedEpoch: 2, 0), RaftMessages.FetchVersion)).Responses[0].Partitions[0];

        Assert.Null(answer.SnapshotId);
        Assert.Null(answer.DivergingEpoch);
        Assert.True(answer.Records is { Length: > 0 });
    }

    [Fact]
    public void FetchSnapshotIsServedInChunksOfAtMostMaxBytes()
    {
        var id = new OffsetAndEpoch(4, 2);
        ReplicaUnderTest leader = LeaderWithFlushedSnapshot(id);
        byte[] expected = SnapshotBytes(id);

        var received = new List<byte>();
        for (int chunk = 0; received.Count < expected.Length; chunk++)
        {
            Assert.True(chunk < 100, "the snapshot never completes");
            FetchSnapshotResponse.PartitionSnapshot part = ServeChunk(leader, id, received.Count, maxBytes: 50);
            Assert.Equal((short)ErrorCode.None, part.ErrorCode);
            Assert.Equal(expected.Length, part.Size);
            Assert.Equal(received.Count, part.Position);
            Assert.InRange(part.UnalignedRecords.Length, 1, 50);
            received.AddRange(part.UnalignedRecords.ToArray());
        }
        Assert.Equal(expected, received.ToArray());
    }

    private static FetchSnapshotResponse.PartitionSnapshot ServeChunk(ReplicaUnderTest leader, OffsetAndEpoch id, long position, int maxBytes, int? epoch = null) =>
        ReplicaUnderTest.ResponseIn<FetchSnapshotResponse>(leader.Receive(
            SnapshotMessages.Request(RaftTestCluster.ClusterId, 7, epoch ?? leader.Replica.Epoch, id, position, maxBytes), SnapshotMessages.FetchSnapshotVersion)).Topics[0].Partitions[0];

    [Fact]
    public void FetchSnapshotErrorsAreKafkas()
    {
        var id = new OffsetAndEpoch(4, 2);
        ReplicaUnderTest leader = LeaderWithFlushedSnapshot(id);
        long size = SnapshotBytes(id).Length;

        Assert.Equal((short)ErrorCode.SnapshotNotFound, ServeChunk(leader, new OffsetAndEpoch(5, 3), 0, 100).ErrorCode);
        Assert.Equal((short)ErrorCode.PositionOutOfRange, ServeChunk(leader, id, size, 100).ErrorCode);
        Assert.Equal((short)ErrorCode.PositionOutOfRange, ServeChunk(leader, id, -1, 100).ErrorCode);
        FetchSnapshotResponse.PartitionSnapshot fenced = ServeChunk(leader, id, 0, 100, epoch: 2);
        Assert.Equal((short)ErrorCode.FencedLeaderEpoch, fenced.ErrorCode);
        Assert.Equal((1, 3), (fenced.CurrentLeader!.LeaderId, fenced.CurrentLeader.LeaderEpoch));
        Assert.Equal((short)ErrorCode.UnknownLeaderEpoch, ServeChunk(leader, id, 0, 100, epoch: 4).ErrorCode);
        FetchSnapshotRequest otherCluster = SnapshotMessages.Request("another-cluster", 7, 3, id, 0, 100);
        Assert.Equal((short)ErrorCode.InconsistentClusterId,
            ReplicaUnderTest.ResponseIn<FetchSnapshotResponse>(leader.Receive(otherCluster, SnapshotMessages.FetchSnapshotVersion)).ErrorCode);
    }

    /// <summary>
    /// A follower of leader 1 in epoch 5 that fetched nothing yet; the test plays the leader. Returns the
    /// follower and its first Fetch.
    /// </summary>
    private static (ReplicaUnderTest Follower, NodeEffect.SendRequest Fetch) FollowerOfEpoch5()
    {
        var follower = new ReplicaUnderTest(FollowerId, voterCount: 3, ReplicaUnderTest.StorageWithBatches(1, 1));
        follower.Storage.Apply(new NodeEffect.PersistQuorumState(ReplicaUnderTest.State(epoch: 5, leaderId: 1)));
        IReadOnlyList<NodeEffect> started = follower.Start();
        Assert.Equal(QuorumStateKind.Follower, follower.Replica.State);
        NodeEffect.SendRequest fetch = started.OfType<NodeEffect.SendRequest>().SingleOrDefault(s => s.Body is FetchRequest)
            ?? follower.Tick(follower.Replica.NextDeadlineMs).OfType<NodeEffect.SendRequest>().Single(s => s.Body is FetchRequest);
        return (follower, fetch);
    }

    private static FetchResponse SnapshotAnswer(OffsetAndEpoch id) => RaftMessages.FetchResponse(new FetchResponse.PartitionData
    {
        PartitionIndex = 0,
        HighWatermark = id.Offset + 3,
        LogStartOffset = id.Offset,
        SnapshotId = new FetchResponse.SnapshotId { EndOffset = id.Offset, Epoch = id.Epoch },
        CurrentLeader = new FetchResponse.LeaderIdAndEpoch { LeaderId = 1, LeaderEpoch = 5 },
    }, null);

    private static FetchSnapshotResponse Chunk(OffsetAndEpoch id, byte[] snapshot, int position, int length, ErrorCode error = ErrorCode.None) =>
        SnapshotMessages.Response(new FetchSnapshotResponse.PartitionSnapshot
        {
            Index = 0,
            ErrorCode = (short)error,
            SnapshotId = new FetchSnapshotResponse.SnapshotId { EndOffset = id.Offset, Epoch = id.Epoch },
            CurrentLeader = new FetchSnapshotResponse.LeaderIdAndEpoch { LeaderId = 1, LeaderEpoch = 5 },
            Size = error == ErrorCode.None ? snapshot.Length : 0,
            Position = position,
            UnalignedRecords = error == ErrorCode.None ? snapshot.AsMemory(position, length) : ReadOnlyMemory<byte>.Empty,
        }, TopicPartition.ClusterMetadata.Topic, null);

    [Fact]
    public void FollowerDownloadsTheNamedSnapshotInChunksAndInstallsItOnceDurable()
    {
        var (follower, fetch) = FollowerOfEpoch5();
        var id = new OffsetAndEpoch(20, 4);
        byte[] snapshot = SnapshotBytes(id);

        NodeEffect.SendRequest first = follower.Answer(fetch, SnapshotAnswer(id)).OfType<NodeEffect.SendRequest>().Single();
        var firstRequest = Assert.IsType<FetchSnapshotRequest>(first.Body);
        Assert.Equal((20L, 4, 0L), (firstRequest.Topics[0].Partitions[0].SnapshotId.EndOffset, firstRequest.Topics[0].Partitions[0].SnapshotId.Epoch, firstRequest.Topics[0].Partitions[0].Position));

        int half = snapshot.Length / 2;
        NodeEffect.SendRequest second = follower.Answer(first, Chunk(id, snapshot, 0, half)).OfType<NodeEffect.SendRequest>().Single();
        Assert.Equal(half, Assert.IsType<FetchSnapshotRequest>(second.Body).Topics[0].Partitions[0].Position);

        IReadOnlyList<NodeEffect> completed = follower.Answer(second, Chunk(id, snapshot, half, snapshot.Length - half));
        var written = Assert.Single(completed.OfType<NodeEffect.WriteSnapshot>());
        Assert.Equal(snapshot, written.Bytes.ToArray());
        Assert.Contains(completed, e => e is NodeEffect.FlushLog);
        Assert.DoesNotContain(completed, e => e is NodeEffect.SendRequest);
        Assert.Equal(2, follower.Replica.LogEndOffset);

        IReadOnlyList<NodeEffect> installed = follower.Flush();

        Assert.Contains(installed, e => e is NodeEffect.TruncateFullyAndStartAt { NewStartOffset: 20 });
        Assert.Equal((20L, 20L, 20L), (follower.Replica.LogStartOffset, follower.Replica.LogEndOffset, follower.Replica.HighWatermark));
        Assert.Equal(1, follower.Replica.SnapshotsInstalled);
        FetchRequest next = Assert.IsType<FetchRequest>(installed.OfType<NodeEffect.SendRequest>().Single().Body);
        Assert.Equal((20L, 4), (next.Topics[0].Partitions[0].FetchOffset, next.Topics[0].Partitions[0].LastFetchedEpoch));
    }

    [Theory]
    [InlineData(ErrorCode.SnapshotNotFound)]
    [InlineData(ErrorCode.PositionOutOfRange)]
    public void FollowerAbandonsADownloadTheLeaderNoLongerServesAndFetchesAgain(ErrorCode error)
    {
        var (follower, fetch) = FollowerOfEpoch5();
        var id = new OffsetAndEpoch(20, 4);
        NodeEffect.SendRequest first = follower.Answer(fetch, SnapshotAnswer(id)).OfType<NodeEffect.SendRequest>().Single();

        Assert.Empty(follower.Answer(first, Chunk(id, [], 0, 0, error)).OfType<NodeEffect.SendRequest>());
        NodeEffect.SendRequest retry = follower.Tick(follower.Replica.NextDeadlineMs).OfType<NodeEffect.SendRequest>().Single();

        Assert.IsType<FetchRequest>(retry.Body);
        Assert.Equal(0, follower.Replica.SnapshotsInstalled);
    }

    [Fact]
    public void FollowerNeverInstallsACorruptDownload()
    {
        var (follower, fetch) = FollowerOfEpoch5();
        var id = new OffsetAndEpoch(20, 4);
        byte[] snapshot = SnapshotBytes(id);
        snapshot[snapshot.Length / 2] ^= 0x40;
        NodeEffect.SendRequest first = follower.Answer(fetch, SnapshotAnswer(id)).OfType<NodeEffect.SendRequest>().Single();

        IReadOnlyList<NodeEffect> answered = follower.Answer(first, Chunk(id, snapshot, 0, snapshot.Length));
        follower.Flush();

        Assert.DoesNotContain(answered, e => e is NodeEffect.WriteSnapshot);
        Assert.Empty(follower.Storage.Snapshots(Metadata));
        Assert.Equal((0L, 2L), (follower.Replica.LogStartOffset, follower.Replica.LogEndOffset));
    }

    [Fact]
    public void ChunkAtTheWrongPositionEndsTheDownload()
    {
        var (follower, fetch) = FollowerOfEpoch5();
        var id = new OffsetAndEpoch(20, 4);
        byte[] snapshot = SnapshotBytes(id);
        NodeEffect.SendRequest first = follower.Answer(fetch, SnapshotAnswer(id)).OfType<NodeEffect.SendRequest>().Single();

        IReadOnlyList<NodeEffect> answered = follower.Answer(first, Chunk(id, snapshot, 5, 10));

        Assert.Empty(answered.OfType<NodeEffect.SendRequest>());
        Assert.IsType<FetchRequest>(follower.Tick(follower.Replica.NextDeadlineMs).OfType<NodeEffect.SendRequest>().Single().Body);
    }

    [Fact]
    public void FetcherRefusesChunksThatDoNotFollowOn()
    {
        var fetcher = new SnapshotFetcher(new OffsetAndEpoch(5, 1));
        Assert.Null(fetcher.Append(10, 0, new byte[4]));
        Assert.NotNull(fetcher.Append(11, 4, new byte[2]));
        Assert.NotNull(fetcher.Append(10, 3, new byte[2]));
        Assert.NotNull(fetcher.Append(10, 4, new byte[7]));
        Assert.NotNull(fetcher.Append(-1, 4, new byte[1]));
        Assert.False(fetcher.IsComplete);
        Assert.Null(fetcher.Append(10, 4, new byte[6]));
        Assert.True(fetcher.IsComplete);
    }

    [Fact]
    public void FollowerThatFellBehindTheLogStartCatchesUpThroughTheSnapshot()
    {
        var cluster = new RaftTestCluster(voterCount: 3, configure: config => config with { MetadataMaxRetentionBytes = 0 });
        cluster.StartAll();
        Assert.True(cluster.RunUntil(() => cluster.Leaders.Count == 1), cluster.ToString());
        RaftTestNode leader = cluster.Leaders[0];
        int laggard = cluster.Nodes.First(n => n.Id != leader.Id).Id;
        cluster.Crash(laggard);
        for (int i = 0; i < 5; i++) cluster.Propose(leader.Id, $"v{i}");
        Assert.True(cluster.RunUntil(() => leader.Replica.HighWatermark == leader.Replica.LogEndOffset), cluster.ToString());
        long snapshotEnd = leader.Replica.HighWatermark;
        int epoch = leader.Replica.Epoch;
        cluster.Step(leader.Id, (raft, fx) => Assert.True(raft.TryCreateSnapshot(new OffsetAndEpoch(snapshotEnd, epoch), SnapshotBytes(new OffsetAndEpoch(snapshotEnd, epoch)), fx)));
        Assert.True(cluster.RunUntil(() => leader.Replica.LogStartOffset == snapshotEnd), cluster.ToString());

        cluster.Start(laggard);
        Assert.True(cluster.RunUntil(() => cluster[laggard].Replica.SnapshotsInstalled == 1 && cluster[laggard].Replica.LogEndOffset >= snapshotEnd), cluster.ToString());

        Assert.Equal(snapshotEnd, cluster[laggard].Replica.LogStartOffset);
        Assert.Equal([new OffsetAndEpoch(snapshotEnd, epoch)], cluster[laggard].Replica.SnapshotIds);
        Assert.Equal(SnapshotBytes(new OffsetAndEpoch(snapshotEnd, epoch)), cluster[laggard].Storage.ReadSnapshot(Metadata, new OffsetAndEpoch(snapshotEnd, epoch), 0, 1 << 20).ToArray());
    }
}
