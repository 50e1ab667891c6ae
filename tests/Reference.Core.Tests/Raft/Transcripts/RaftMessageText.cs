using System.Globalization;
using System.Text;
using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;
using Reference.Protocol.Records;

namespace Reference.Core.Tests.Raft.Transcripts;

/// <summary>
/// How a golden transcript writes KRaft messages, effects and log batches: one short line each, naming
/// only what Raft reasons about (epochs, leaders, log ends as <c>offset@eEPOCH</c>, votes, the high
/// watermark), never correlation ids or byte counts, so a transcript reads as the protocol does.
/// </summary>
internal static class RaftMessageText
{
    public static string Request(IRequestBody body) => body switch
    {
        VoteRequest { Topics: [{ Partitions: [var p] }] } =>
            $"Vote{(p.PreVote ? " pre-vote" : "")} epoch={p.CandidateEpoch} candidate={p.CandidateId} end={LogEnd(p.LastOffset, p.LastOffsetEpoch)}",
        BeginQuorumEpochRequest { Topics: [{ Partitions: [var p] }] } => $"BeginQuorumEpoch epoch={p.LeaderEpoch} leader={p.LeaderId}",
        EndQuorumEpochRequest { Topics: [{ Partitions: [var p] }] } =>
            $"EndQuorumEpoch epoch={p.LeaderEpoch} leader={p.LeaderId} successors=[{string.Join(",", p.PreferredCandidates.Select(c => c.CandidateId))}]",
        FetchRequest { Topics: [{ Partitions: [var p] }] } => $"Fetch epoch={p.CurrentLeaderEpoch} end={LogEnd(p.FetchOffset, p.LastFetchedEpoch)}",
        _ => body.ApiKey.ToString(),
    };

    public static string Response(IResponseBody body) => body switch
    {
        VoteResponse { Topics: [{ Partitions: [var p] }] } =>
            $"VoteResponse {(p.VoteGranted ? "granted" : "refused")} epoch={p.LeaderEpoch} leader={Id(p.LeaderId)}{Error(p.ErrorCode)}",
        BeginQuorumEpochResponse { Topics: [{ Partitions: [var p] }] } => $"BeginQuorumEpochResponse epoch={p.LeaderEpoch} leader={Id(p.LeaderId)}{Error(p.ErrorCode)}",
        EndQuorumEpochResponse { Topics: [{ Partitions: [var p] }] } => $"EndQuorumEpochResponse epoch={p.LeaderEpoch} leader={Id(p.LeaderId)}{Error(p.ErrorCode)}",
        FetchResponse { Responses: [{ Partitions: [var p] }] } => FetchPartition(p),
        VoteResponse or BeginQuorumEpochResponse or EndQuorumEpochResponse or FetchResponse => $"{body.ApiKey}Response{Error(TopLevelError(body))}",
        _ => body.ApiKey + "Response",
    };

    private static string FetchPartition(FetchResponse.PartitionData p)
    {
        var text = new StringBuilder("FetchResponse");
        if (p.CurrentLeader is { } leader) text.Append(CultureInfo.InvariantCulture, $" epoch={leader.LeaderEpoch} leader={Id(leader.LeaderId)}");
        text.Append(CultureInfo.InvariantCulture, $" hw={p.HighWatermark}");
        if (p.DivergingEpoch is { Epoch: >= 0 } diverging) text.Append(CultureInfo.InvariantCulture, $" diverging={LogEnd(diverging.EndOffset, diverging.Epoch)}");
        if (p.Records is { Length: > 0 } records) text.Append(" batches=").Append(string.Join(",", Batches(records).Select(b => b.Range)));
        return text.Append(Error(p.ErrorCode)).ToString();
    }

    public static string Effect(NodeEffect effect) => effect switch
    {
        NodeEffect.SendRequest send => $"send to={send.ToNodeId} {Request(send.Body)}",
        NodeEffect.Respond respond => $"respond to={respond.Context.Connection.Value} {Response(respond.Body)}",
        NodeEffect.PersistQuorumState persist => $"persist epoch={persist.State.LeaderEpoch} leader={Id(persist.State.LeaderId)} voted={Id(persist.State.VotedId)}",
        NodeEffect.AppendToLog append => "append " + string.Join(" ", Batches(append.Batches).Select(b => b.ToString())),
        NodeEffect.FlushLog => "flush",
        NodeEffect.TruncateLog truncate => $"truncate end={truncate.EndOffset}",
        _ => effect.ToString() ?? effect.GetType().Name,
    };

    /// <summary>A log end as Raft compares them: the offset after the last entry and the epoch of that entry.</summary>
    public static string LogEnd(long endOffset, int lastEpoch) => $"{endOffset}@e{lastEpoch}";

    public static string Id(int idOrNone) => idOrNone < 0 ? "-" : idOrNone.ToString(CultureInfo.InvariantCulture);

    private static string Error(short code) => code == 0 ? "" : $" error={(ErrorCode)code}";

    private static short TopLevelError(IResponseBody body) => body switch
    {
        VoteResponse vote => vote.ErrorCode,
        BeginQuorumEpochResponse begin => begin.ErrorCode,
        EndQuorumEpochResponse end => end.ErrorCode,
        FetchResponse fetch => fetch.ErrorCode,
        _ => 0,
    };

    /// <summary>One batch as a transcript shows it: its offsets, its epoch, and its records (a control record by type, data by value).</summary>
    public sealed record BatchText(long BaseOffset, long LastOffset, int Epoch, string Contents)
    {
        public string Range => BaseOffset == LastOffset ? $"{BaseOffset}@e{Epoch}" : $"{BaseOffset}..{LastOffset}@e{Epoch}";

        public override string ToString() => $"{Range} {Contents}";
    }

    /// <summary>The batches of a records blob, in order; bounded by the blob's length (each batch is at least a header).</summary>
    public static IReadOnlyList<BatchText> Batches(ReadOnlyMemory<byte> records)
    {
        var batches = new List<BatchText>();
        var walker = new RecordBatchWalker(records);
        while (walker.TryNext(out RecordBatchView batch))
        {
            RecordBatchDecodeResult decoded = RecordBatchDecoder.Decode(batch);
            string contents = !decoded.IsOk ? $"undecodable ({decoded.Error})"
                : batch.Header.IsControl ? string.Join(",", decoded.Records.Select(ControlType))
                : string.Join(",", decoded.Records.Select(r => r.Value is { } value ? Encoding.UTF8.GetString(value.Span) : "null"));
            batches.Add(new BatchText(batch.Header.BaseOffset, batch.Header.LastOffset, batch.Header.PartitionLeaderEpoch, contents));
        }
        return batches;
    }

    private static string ControlType(Protocol.Records.Record record) =>
        record.Key is { } key && ControlRecordKey.TryDecode(key.Span, out ControlRecordKey control) ? control.Type.ToString() : "control?";
}
