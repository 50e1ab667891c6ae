using Reference.Core.Metadata;
using Reference.Core.Raft;

namespace Reference.Core.Node;

/// <summary>
/// The controller's way into KRaft: metadata records are framed (frame version, type, version, body) and
/// proposed to the Raft replica as one batch, committed atomically.
/// </summary>
public sealed class RaftMetadataLog(RaftReplica raft) : IMetadataLog
{
    public bool IsLeader => raft.IsLeader;

    public int Epoch => raft.Epoch;

    public long? TryPropose(IReadOnlyList<VersionedRecord> records, long nowMs, Effects effects)
    {
        var values = records.Select(record => (ReadOnlyMemory<byte>)MetadataRecordFrame.Encode(record)).ToList();
        ProposalResult result = raft.TryPropose(values, nowMs, effects);
        return result.IsAccepted ? result.LastOffset : null;
    }
}
