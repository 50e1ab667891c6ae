using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;

namespace Reference.Core.Producers;

/// <summary>
/// Answers InitProducerId for idempotent producers (Kafka's <c>TransactionCoordinator.handleInitProducerId</c>
/// with a null transactional id, backed by <c>RPCProducerIdManager</c>): every call gets a fresh producer
/// id with epoch 0, taken from blocks the active controller hands out through AllocateProducerIds. As in
/// Kafka 3.9, a call that finds no id ready is answered COORDINATOR_LOAD_IN_PROGRESS at once (clients retry
/// it) and the block is fetched meanwhile; the next block is fetched ahead when 90% of the current is used.
/// At most one AllocateProducerIds is in flight; a failed one is retried no sooner than
/// <see cref="RetryBackoffMs"/> later, by the next InitProducerId. The node must hand back an answer or a
/// failure for every request, after <see cref="IPeerSender.Send"/> returns, or no block is asked for again.
/// </summary>
public sealed class ProducerIdIssuer(int nodeId, IPeerSender peers, IControllerLocator controllers, Func<long> brokerEpoch)
{
    public const short AllocateProducerIdsVersion = 0;

    /// <summary>Kafka's <c>RPCProducerIdManager.RetryBackoffMs</c>.</summary>
    public const long RetryBackoffMs = 50;

    /// <summary>
    /// Transactions are not implemented: a transactional producer is told so plainly rather than handed
    /// an id it would then use for transactions this broker cannot keep. INVALID_REQUEST is fatal in both
    /// librdkafka and kafkajs, so the producer stops instead of retrying for ever.
    /// </summary>
    public const ErrorCode TransactionsUnsupported = ErrorCode.InvalidRequest;

    private ProducerIdBlock? _current;
    private long _nextId;
    private ProducerIdBlock? _prefetched;
    private int? _inFlightCorrelationId;
    private long _retryNotBeforeMs;

    /// <summary>InitProducerId v0-v5 on the broker listener.</summary>
    public void HandleInitProducerId(RequestContext context, InitProducerIdRequest request, long nowMs, Effects effects)
    {
        (ErrorCode error, long producerId) = request.TransactionalId is null
            ? TryIssue(nowMs, effects)
            : (TransactionsUnsupported, -1L);
        effects.Respond(context, new InitProducerIdResponse
        {
            ErrorCode = (short)error,
            ProducerId = producerId,
            ProducerEpoch = error == ErrorCode.None ? (short)0 : (short)-1,
        });
    }

    /// <summary>The controller answered an AllocateProducerIds this issuer sent.</summary>
    public void HandleResponse(int correlationId, IResponseBody body, long nowMs, Effects effects)
    {
        if (correlationId != _inFlightCorrelationId) return;
        _inFlightCorrelationId = null;
        long previousEndId = Math.Max(_current?.EndId ?? 0, _prefetched?.EndId ?? 0);
        if (body is AllocateProducerIdsResponse { ErrorCode: 0 } response
            && ProducerIdBlock.IsPlausible(response.ProducerIdStart, response.ProducerIdLen, previousEndId))
        {
            _prefetched = new ProducerIdBlock(response.ProducerIdStart, response.ProducerIdLen);
            return;
        }
        _retryNotBeforeMs = nowMs + RetryBackoffMs;
    }

    /// <summary>The AllocateProducerIds this issuer sent will get no answer.</summary>
    public void HandleRequestFailed(int correlationId, long nowMs, Effects effects)
    {
        if (correlationId != _inFlightCorrelationId) return;
        _inFlightCorrelationId = null;
        _retryNotBeforeMs = nowMs + RetryBackoffMs;
    }

    private (ErrorCode Error, long ProducerId) TryIssue(long nowMs, Effects effects)
    {
        if (_current is not ProducerIdBlock block || _nextId >= block.EndId)
        {
            if (_prefetched is not ProducerIdBlock next)
            {
                RequestBlock(nowMs, effects);
                return (ErrorCode.CoordinatorLoadInProgress, -1);
            }
            _current = block = next;
            _prefetched = null;
            _nextId = next.FirstId;
        }
        long producerId = _nextId++;
        if (producerId == block.PrefetchAtId) RequestBlock(nowMs, effects);
        return (ErrorCode.None, producerId);
    }

    private void RequestBlock(long nowMs, Effects effects)
    {
        if (_inFlightCorrelationId is not null || _prefetched is not null || nowMs < _retryNotBeforeMs) return;
        if (controllers.ActiveControllerId is not int controllerId) return;
        var request = new AllocateProducerIdsRequest { BrokerId = nodeId, BrokerEpoch = brokerEpoch() };
        _inFlightCorrelationId = peers.Send(controllerId, AllocateProducerIdsVersion, request, effects);
    }
}
