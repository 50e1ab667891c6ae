using System.Reflection;
using Reference.Core.Raft;
using Reference.Protocol.Messages;
using Reference.Simulation.Storage;
using Reference.Spec.Raft;

namespace Reference.Spec.Tests;

/// <summary>
/// RaftNodeReading.Of and SnapshotReading.Of hand back a node's last reading when a fresh read gives what it
/// holds, and the monitors then skip the node: their comparisons, written out field by field, must see every
/// field. The field lists here are a tripwire: a field added to a reading fails them until it is compared there
/// (and here). The readings' equality must see every field too, the snapshot ids by content (they are copies).
/// </summary>
public sealed class ReadingEqualityTests
{
    private static readonly MemoryLogStorage Disk = new();
    private static readonly QuorumStateData Persisted = new() { LeaderEpoch = 2, LeaderId = 1, VotedId = 1 };

    private static readonly SnapshotReading Snapshots = new(4, 10, [new OffsetAndEpoch(4, 1)], 1, IsWritable: true, 2);

    private static readonly RaftNodeReading Reading = new(1, IsVoter: true, 3, new ReplicaReading(2, 1, QuorumStateKind.Follower, 5, 10, 3, 900),
        Persisted, Disk, Snapshots) { IsVoterDiskReplaced = false };

    private static string[] StoredFields(Type type) =>
        [.. type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).Select(f => f.Name.TrimStart('<').Split('>')[0]).Order()];

    [Fact]
    public void ANodeReadingDiffersWhenAnyOfItsFieldsDoes()
    {
        // The fields RaftNodeReading.Of compares and those below; a field added to the record fails this first.
        Assert.Equal(["Incarnation", "IsVoter", "IsVoterDiskReplaced", "NodeId", "Persisted", "Replica", "Snapshots", "Storage"], StoredFields(typeof(RaftNodeReading)));
        RaftNodeReading[] changed =
        [
            Reading with { NodeId = 2 },
            Reading with { IsVoter = false },
            Reading with { IsVoterDiskReplaced = true },
            Reading with { Incarnation = 4 },
            Reading with { Replica = null },
            Reading with { Replica = Reading.Replica!.Value with { LeaderAliveUntilMs = 901 } },
            Reading with { Persisted = new QuorumStateData { LeaderEpoch = 2, LeaderId = 1, VotedId = 1 } },
            Reading with { Storage = new MemoryLogStorage() },
            Reading with { Snapshots = null },
            Reading with { Snapshots = Snapshots with { SnapshotsInstalled = 2 } },
        ];
        foreach (RaftNodeReading other in changed) Assert.False(Reading == other, $"{other} equals {Reading}");
        Assert.True(Reading == Reading with { Snapshots = Snapshots with { Snapshots = [new OffsetAndEpoch(4, 1)] } });
    }

    [Fact]
    public void ASnapshotReadingDiffersWhenAnyOfItsFieldsDoesAndComparesItsIdsByContent()
    {
        // The fields SnapshotReading.Of and Equals compare.
        Assert.Equal(["IsWritable", "LogEndOffset", "LogStartOffset", "SnapshotLoadsSinceClaim", "Snapshots", "SnapshotsInstalled"], StoredFields(typeof(SnapshotReading)));
        SnapshotReading[] changed =
        [
            Snapshots with { LogStartOffset = 5 },
            Snapshots with { LogEndOffset = 11 },
            Snapshots with { Snapshots = [] },
            Snapshots with { Snapshots = [new OffsetAndEpoch(4, 2)] },
            Snapshots with { Snapshots = [new OffsetAndEpoch(4, 1), new OffsetAndEpoch(8, 1)] },
            Snapshots with { SnapshotsInstalled = 0 },
            Snapshots with { IsWritable = false },
            Snapshots with { SnapshotLoadsSinceClaim = 0 },
        ];
        foreach (SnapshotReading other in changed) Assert.False(Snapshots == other, $"{other} equals {Snapshots}");
        SnapshotReading copied = Snapshots with { Snapshots = new List<OffsetAndEpoch> { new(4, 1) } };
        Assert.True(Snapshots == copied);
        Assert.Equal(Snapshots.GetHashCode(), copied.GetHashCode());
    }
}
