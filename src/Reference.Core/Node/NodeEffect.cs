using Reference.Protocol.Messages;

namespace Reference.Core.Node;

/// <summary>
/// What a node asks its shell to do. The shell carries out the effects of one step in order, before it
/// delivers the next input: so an effect that persists state (<see cref="PersistQuorumState"/>) is durable
/// before any later effect of the same step (a vote's response) leaves the node. Writes to logs are
/// visible to <see cref="Log.ILogStorage"/> reads as soon as they are carried out; they are durable only
/// once a <see cref="NodeInput.LogFlushed"/> says so, and a crash may lose what was not.
/// </summary>
public abstract record NodeEffect
{
    /// <summary>Answer a request on the connection it came from.</summary>
    public sealed record Respond(RequestContext Context, IResponseBody Body) : NodeEffect;

    /// <summary>
    /// Send a request to another node. <paramref name="Address"/> is set on the
    /// <see cref="PeerChannel.Replication"/> channel only: the peer's endpoint on the inter-broker listener
    /// as its broker registration in the committed metadata gives it, or null when the metadata has none
    /// (the shell then fails the request). Raft and controller requests carry no address: the shell reaches
    /// those peers through <c>controller.quorum.voters</c>, which it knows before any metadata exists.
    /// </summary>
    public sealed record SendRequest(int ToNodeId, int CorrelationId, short ApiVersion, IRequestBody Body, Endpoint? Address = null) : NodeEffect;

    /// <summary>
    /// Append record batches, already given their offsets, at the log's end. <paramref name="BaseOffset"/> is the
    /// first batch's base offset and must equal the log's end offset; the shell checks this.
    /// </summary>
    public sealed record AppendToLog(TopicPartition Log, long BaseOffset, ReadOnlyMemory<byte> Batches) : NodeEffect;

    /// <summary>Remove everything at and after <paramref name="EndOffset"/> (a follower that diverged).</summary>
    public sealed record TruncateLog(TopicPartition Log, long EndOffset) : NodeEffect;

    /// <summary>Make the log durable up to its current end; answered by <see cref="NodeInput.LogFlushed"/>.</summary>
    public sealed record FlushLog(TopicPartition Log) : NodeEffect;

    /// <summary>
    /// Move the log start offset up to <paramref name="NewStartOffset"/> (retention, DeleteRecords): whole
    /// segments below it may be deleted; reads below it fail as out of range.
    /// </summary>
    public sealed record AdvanceLogStart(TopicPartition Log, long NewStartOffset) : NodeEffect;

    /// <summary>Delete a log and all its data (its topic was deleted).</summary>
    public sealed record DeleteLog(TopicPartition Log) : NodeEffect;

    /// <summary>
    /// Store a whole snapshot of the log (KIP-630) under <paramref name="SnapshotId"/>: a file of record batches
    /// from a SnapshotHeader to a SnapshotFooter control record, covering the log below the id's end offset. Like
    /// an append it is durable only once a later <see cref="FlushLog"/> of the same log is answered by
    /// <see cref="NodeInput.LogFlushed"/>; a crash before that may lose it. A snapshot already stored under the
    /// id is left as it is.
    /// </summary>
    public sealed record WriteSnapshot(TopicPartition Log, Raft.OffsetAndEpoch SnapshotId, ReadOnlyMemory<byte> Bytes) : NodeEffect;

    /// <summary>Delete a snapshot (one older than the log start offset is no longer needed).</summary>
    public sealed record DeleteSnapshot(TopicPartition Log, Raft.OffsetAndEpoch SnapshotId) : NodeEffect;

    /// <summary>
    /// Delete every batch of the log and make it start, empty, at <paramref name="NewStartOffset"/> (Kafka's
    /// <c>truncateFullyAndStartAt</c>): a follower that installed a snapshot past its log end. Durable at once.
    /// </summary>
    public sealed record TruncateFullyAndStartAt(TopicPartition Log, long NewStartOffset) : NodeEffect;

    /// <summary>Write the quorum state durably (fsync) before carrying out any later effect.</summary>
    public sealed record PersistQuorumState(QuorumStateData State) : NodeEffect;

    /// <summary>Deliver <see cref="NodeInput.TimeAdvanced"/> no later than <paramref name="AtMs"/>.</summary>
    public sealed record WakeAt(long AtMs) : NodeEffect;

    /// <summary>Close a client connection (Kafka closes on a request it cannot parse).</summary>
    public sealed record CloseConnection(ConnectionId Connection) : NodeEffect;
}
