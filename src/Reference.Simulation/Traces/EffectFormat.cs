using Reference.Core.Node;
using Reference.Protocol.Messages;
using Reference.Simulation.Randomness;

namespace Reference.Simulation.Traces;

/// <summary>
/// An effect as one trace line: what it is, to whom, and a 64-bit FNV-1a digest of its bytes (a message's
/// wire encoding, a batch, the quorum-state file) where it carries any. Replay compares these lines, so a
/// divergence reads as "expected send to=2 corr=7 Fetch v17 91B #..., got ...". The digest keeps traces
/// small; the bytes themselves are in the input line of the node that receives them.
/// </summary>
public static class EffectFormat
{
    public static string Render(NodeEffect effect)
    {
        try
        {
            return RenderUnchecked(effect);
        }
        catch (Exception error) when (error is not ArgumentException)
        {
            // The shell reports the encoding failure when it carries the effect out; the trace still shows the effect.
            return $"{effect.GetType().Name} does not encode: {TraceLine.Quote(error.Message)}";
        }
    }

    private static string RenderUnchecked(NodeEffect effect) => effect switch
    {
        NodeEffect.SendRequest send =>
            $"send to={send.ToNodeId} corr={send.CorrelationId} {send.Body.ApiKey} v{send.ApiVersion} {Digest(MessageBytes.Encode(send.Body, send.ApiVersion))}",
        NodeEffect.Respond respond =>
            $"respond conn={respond.Context.Connection.Value} corr={respond.Context.CorrelationId} {respond.Body.ApiKey} v{respond.Context.ApiVersion} {Digest(MessageBytes.Encode(respond.Body, respond.Context.ApiVersion))}",
        NodeEffect.AppendToLog append => $"append log={append.Log} base={append.BaseOffset} {Digest(append.Batches.Span)}",
        NodeEffect.TruncateLog truncate => $"truncate log={truncate.Log} end={truncate.EndOffset}",
        NodeEffect.FlushLog flush => $"flush log={flush.Log}",
        NodeEffect.AdvanceLogStart advance => $"advance-start log={advance.Log} start={advance.NewStartOffset}",
        NodeEffect.DeleteLog delete => $"delete log={delete.Log}",
        NodeEffect.WriteSnapshot write => $"write-snapshot log={write.Log} id={write.SnapshotId} {Digest(write.Bytes.Span)}",
        NodeEffect.DeleteSnapshot deleteSnapshot => $"delete-snapshot log={deleteSnapshot.Log} id={deleteSnapshot.SnapshotId}",
        NodeEffect.TruncateFullyAndStartAt reset => $"truncate-fully log={reset.Log} start={reset.NewStartOffset}",
        NodeEffect.PersistQuorumState persist =>
            $"persist-quorum-state epoch={persist.State.LeaderEpoch} leader={persist.State.LeaderId} voted={persist.State.VotedId} " +
            Digest(MessageBytes.Encode(persist.State, Storage.MemoryLogStorage.QuorumStateFileVersion)),
        NodeEffect.WakeAt wake => $"wake at={wake.AtMs}",
        NodeEffect.CloseConnection close => $"close conn={close.Connection.Value}",
        _ => throw new ArgumentException($"an effect this simulator does not know: {effect.GetType().Name}", nameof(effect)),
    };

    /// <summary>What a node threw instead of returning effects, as the step's only effect line.</summary>
    public static string RenderThrow(Exception exception) =>
        $"threw {exception.GetType().Name} {TraceLine.Quote(exception.Message)}";

    private static string Digest(ReadOnlySpan<byte> bytes) => $"{bytes.Length}B #{StableHash.Fnv1a64(bytes):x16}";
}
