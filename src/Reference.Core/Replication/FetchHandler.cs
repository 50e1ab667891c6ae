using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;

namespace Reference.Core.Replication;

/// <summary>
/// Fetch v4-v17 from consumers and follower replicas (Kafka's <c>ReplicaManager.fetchMessages</c>): read at
/// once, and answer at once when there is MinBytes of data, an error, a diverging epoch, or MaxWaitMs is 0;
/// otherwise park the fetch and answer when its partitions have moved enough or MaxWaitMs has passed.
/// Fetch sessions (KIP-227) are not kept: every fetch is a full one and is answered with session id 0.
/// </summary>
internal sealed class FetchHandler(FetchReader reader, FetchPurgatory purgatory)
{
    public void Handle(RequestContext context, FetchRequest request, long nowMs, Effects effects)
    {
        if (request.SessionEpoch > 0)
        {
            // An incremental fetch names a session this broker never created.
            effects.Respond(context, new FetchResponse { ErrorCode = (short)ErrorCode.FetchSessionIdNotFound });
            return;
        }
        FetchParams parameters = FetchParams.Of(context.ApiVersion, request);
        FetchRead read = reader.Read(request, parameters, nowMs, recordFollowerState: true, effects);
        if (request.MaxWaitMs <= 0 || request.Topics.Count == 0 || read.EndsWait || read.BytesRead >= request.MinBytes)
        {
            effects.Respond(context, read.Response);
            return;
        }
        var parked = new DelayedFetch(context, request, parameters, nowMs + request.MaxWaitMs, read.Partitions);
        if (!purgatory.TryPark(parked)) effects.Respond(context, read.Response);
    }

    /// <summary>Re-reads parked fetches whose partitions moved; answers those that now have enough.</summary>
    public void CompleteAdvanced(long nowMs, Effects effects)
    {
        if (!purgatory.HasAdvanced) return; // every tick asks; nearly always nothing moved
        foreach ((long id, DelayedFetch fetch) in purgatory.TakeAdvanced())
        {
            FetchRead read = reader.Read(fetch.Request, fetch.Parameters, nowMs, recordFollowerState: false, effects);
            if (!read.EndsWait && read.BytesRead < fetch.Request.MinBytes) continue;
            purgatory.Remove(id);
            effects.Respond(fetch.Context, read.Response);
        }
    }

    /// <summary>Answers, with whatever there is, the fetches whose MaxWaitMs has passed.</summary>
    public void CompleteDue(long nowMs, Effects effects)
    {
        if (purgatory.NextDeadlineMs > nowMs) return; // every tick asks; nearly always nothing is due
        foreach (DelayedFetch fetch in purgatory.RemoveDue(nowMs))
            effects.Respond(fetch.Context, reader.Read(fetch.Request, fetch.Parameters, nowMs, recordFollowerState: false, effects).Response);
    }
}
