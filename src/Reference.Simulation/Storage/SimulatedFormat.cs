using Reference.Core.Node;
using Reference.Protocol.Primitives;
using Reference.Simulation.Randomness;

namespace Reference.Simulation.Storage;

/// <summary>
/// The simulated operator's <c>kraft storage format</c>: a node's first disk, and every disk that replaces a
/// wiped one, is formatted with a directory id of its own (Kafka draws a random one; here it follows from the
/// node and the incarnation that first runs on the disk, so a run and its replay format alike without
/// drawing from any stream). The voter set names each voter by its first disk's id (<see cref="FirstDirectoryId"/>),
/// so a voter restarted on a replaced disk finds its storage is not the voter's (KIP-853).
/// </summary>
public static class SimulatedFormat
{
    /// <summary>A fresh disk for <paramref name="config"/>'s node, formatted for its <paramref name="incarnation"/>.</summary>
    public static MemoryLogStorage Disk(NodeConfig config, int incarnation) =>
        new() { SegmentBytes = config.LogSegmentBytes, DirectoryId = DirectoryId(config.NodeId, incarnation) };

    /// <summary>The directory id of the disk a node is first formatted with: the one its voter entry names.</summary>
    public static Uuid FirstDirectoryId(int nodeId) => DirectoryId(nodeId, 1);

    /// <summary>Distinct for every (node, incarnation); never the zero id or the metadata topic's reserved id.</summary>
    public static Uuid DirectoryId(int nodeId, int incarnation)
    {
        if (nodeId < 0 || incarnation < 1) throw new ArgumentOutOfRangeException(nameof(incarnation), $"node {nodeId} incarnation {incarnation}");
        long high = (long)StableHash.Fnv1a64($"directory n{nodeId}");
        // The low half is the pair itself, so two pairs never share an id, and it is never 0 or 1.
        return new Uuid(high, (1L << 62) | ((long)nodeId << 32) | (uint)incarnation);
    }
}
