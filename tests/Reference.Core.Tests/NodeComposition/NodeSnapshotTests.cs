using Reference.Core.Metadata;
using Reference.Core.Node;

namespace Reference.Core.Tests.NodeComposition;

/// <summary>KIP-630 at the node: snapshots of the image written under the metadata.log.* knobs, and loaded at restart.</summary>
public sealed class NodeSnapshotTests
{
    private static SingleNodeHarness NodeWithSmallSnapshotKnobs(long maxNewRecordBytes = 1, long retentionBytes = 0) => new(config => config with
    {
        MetadataSnapshotMaxNewRecordBytes = maxNewRecordBytes,
        MetadataMaxRetentionBytes = retentionBytes,
    });

    [Fact]
    public void NodeWritesSnapshotsOfItsImageAndTheLogStartFollows()
    {
        SingleNodeHarness node = NodeWithSmallSnapshotKnobs();
        node.RunFor(5_000); // the broker registers and is unfenced, so topics can be placed on it
        node.CreateTopic("orders", 2);
        node.RunFor(3_000);

        Assert.Contains(node.History, e => e is NodeEffect.WriteSnapshot);
        Assert.NotNull(node.Node.Raft.LatestSnapshotId);
        Assert.Equal(node.Node.Raft.LatestSnapshotId!.Value.Offset, node.Node.Raft.LogStartOffset);
        Assert.True(node.Node.Raft.LogStartOffset > 0);
    }

    [Fact]
    public void DefaultKnobsWriteNoSnapshotInAFewSeconds()
    {
        var node = new SingleNodeHarness();
        node.RunFor(5_000); // the broker registers and is unfenced, so topics can be placed on it
        node.CreateTopic("orders", 2);
        node.RunFor(3_000);

        Assert.DoesNotContain(node.History, e => e is NodeEffect.WriteSnapshot);
        Assert.Equal(0, node.Node.Raft.LogStartOffset);
    }

    [Fact]
    public void SnapshotIntervalWritesOneEvenWithFewBytes()
    {
        var node = new SingleNodeHarness(config => config with { MetadataSnapshotMaxIntervalMs = 1_000 });
        node.RunFor(2_500);

        Assert.Contains(node.History, e => e is NodeEffect.WriteSnapshot);
    }

    [Fact]
    public void RestartedNodeLoadsItsSnapshotThenReplaysTheLogAboveIt()
    {
        SingleNodeHarness node = NodeWithSmallSnapshotKnobs();
        node.RunFor(5_000); // the broker registers and is unfenced, so topics can be placed on it
        node.CreateTopic("orders", 2);
        node.RunFor(3_000);
        // Stop writing snapshots once the topic is in one, and write more above it.
        long snapshotEnd = node.Node.Raft.LogStartOffset;
        Assert.True(snapshotEnd > 0);
        node.CreateTopic("audit", 1);
        node.RunFor(100);
        string before = MetadataImageText.Render(node.Node.Metadata);

        node.CrashAndRestart();
        node.RunFor(2_000);

        Assert.True(node.Node.SnapshotLoads >= 1);
        Assert.NotNull(node.Node.Metadata.Topic("orders"));
        Assert.NotNull(node.Node.Metadata.Topic("audit"));
        Assert.Equal(StripRegistrations(before), StripRegistrations(MetadataImageText.Render(node.Node.Metadata)));
        Assert.Equal(0, node.Node.SnapshotLoadsSinceClaim);
        Assert.True(node.Node.IsActiveController);
    }

    /// <summary>Broker registrations and epochs move on with a restart (a new incarnation registers); topics and configs must not.</summary>
    private static string StripRegistrations(string image) =>
        string.Join('\n', image.Split('\n').Where(line => !line.StartsWith("broker ", StringComparison.Ordinal) && !line.StartsWith("partition", StringComparison.Ordinal)));
}
