namespace Reference.Spec.Raft;

/// <summary>
/// The reading of each node a monitor last judged and found sound, kept by reference so the monitor can skip a
/// node whose reading is that very object. A reading is immutable, and <see cref="RaftObservation.Of"/> carries
/// one over to the next observation only while nothing it holds can have changed (the node did not step, crash,
/// restart or lose its disk: RaftObservation's LastRead.StillHolds, which ObservationReuseTests holds to a fresh
/// read); any such change makes a new reading object, and that is what ends the skip. In a 3-voter run most
/// events step one node, so most monitors judged three nodes per event where one had changed.
/// <para>
/// Only for a judgement that depends on nothing but the reading and the monitor's memory of what it judged,
/// and that changes nothing when made twice: what a reading does not hold (the event's effects, the clock, the
/// logs on disk, which monitors read live) must be checked apart, as <see cref="ConsistentCommittedData"/>
/// does with the disk's change count. A node is marked judged only after it passed.
/// </para>
/// </summary>
/// <remarks>
/// An array by node id of its own rather than a <see cref="NodeTable{T}"/>: a generic over a reference type runs
/// shared code that looks its type up through a stub on every call, which showed in the explorer's profile.
/// </remarks>
internal sealed class JudgedReadings
{
    private RaftNodeReading?[] _judged = [];

    public bool AlreadyJudged(RaftNodeReading node) => (uint)node.NodeId < (uint)_judged.Length && ReferenceEquals(_judged[node.NodeId], node);

    public void Judged(RaftNodeReading node)
    {
        if ((uint)node.NodeId >= (uint)_judged.Length) Grow(node.NodeId);
        _judged[node.NodeId] = node;
    }

    /// <summary>As a <see cref="NodeTable{T}"/> grows: to the id at least, doubling, never past <see cref="NodeTable{T}.NodeIdMax"/>.</summary>
    private void Grow(int nodeId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(nodeId);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(nodeId, NodeTable<RaftNodeReading>.NodeIdMax);
        Array.Resize(ref _judged, Math.Min(NodeTable<RaftNodeReading>.NodeIdMax + 1, Math.Max(nodeId + 1, 2 * _judged.Length)));
    }
}
