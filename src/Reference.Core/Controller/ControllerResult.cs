using Reference.Core.Metadata;
using Reference.Protocol.Messages;

namespace Reference.Core.Controller;

/// <summary>
/// What an operation decided (Kafka's <c>ControllerResult</c>): the records to write as one atomic batch, and
/// the answer to give once they are committed. The answer is computed now, from the state the records were
/// built on, as Kafka's controller computes it before the write.
/// </summary>
/// <param name="OnProposed">Soft state to update once the batch has an offset (a controlled shutdown's offset).</param>
internal sealed record ControllerResult(IReadOnlyList<VersionedRecord> Records, IResponseBody Response, Action<long>? OnProposed = null)
{
    public static ControllerResult Answer(IResponseBody response) => new([], response);
}
