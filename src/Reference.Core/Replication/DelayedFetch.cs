using Reference.Core.Node;
using Reference.Protocol.Messages;

namespace Reference.Core.Replication;

/// <summary>
/// A fetch parked until it has MinBytes to return or MaxWaitMs has passed (Kafka's <c>DelayedFetch</c>,
/// long polling). It is answered by reading again, from the same fetch offsets.
/// </summary>
internal sealed class DelayedFetch(RequestContext context, FetchRequest request, FetchParams parameters, long deadlineMs,
    IReadOnlySet<TopicPartition> partitions)
{
    public RequestContext Context { get; } = context;

    public FetchRequest Request { get; } = request;

    public FetchParams Parameters { get; } = parameters;

    public long DeadlineMs { get; } = deadlineMs;

    public bool Touches(TopicPartition partition) => partitions.Contains(partition);
}
