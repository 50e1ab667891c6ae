using Reference.Core.Node;
using Reference.Protocol.Messages;

namespace Reference.Core.Metadata;

/// <summary>A metadata record with the version to write it in.</summary>
public readonly record struct VersionedRecord(IMetadataRecord Record, short Version);

/// <summary>
/// The controller's way into the metadata log (KRaft). Records proposed together land in one batch and
/// commit atomically. The node tells the controller when the committed offset moves; only then may the
/// controller answer the requests that produced them.
/// </summary>
public interface IMetadataLog
{
    /// <summary>True while this node is the Raft leader and may propose.</summary>
    bool IsLeader { get; }

    /// <summary>The leader epoch proposals are made in.</summary>
    int Epoch { get; }

    /// <summary>Appends the records as one batch; returns its last offset, or null when not the leader.</summary>
    long? TryPropose(IReadOnlyList<VersionedRecord> records, long nowMs, Effects effects);
}
