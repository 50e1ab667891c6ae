using Reference.Core.Node;
using Reference.Core.Producers;
using Reference.Protocol;
using Reference.Protocol.Messages;

namespace Reference.Core.Tests.Producers;

public sealed class ProducerIdIssuerTests
{
    private readonly FakePeers _peers = new();
    private readonly ProducerIdIssuer _issuer;
    private int _nextCorrelationId;

    public ProducerIdIssuerTests() => _issuer = new ProducerIdIssuer(nodeId: 1, _peers, _peers, () => 77);

    private (InitProducerIdResponse Answer, List<NodeEffect.SendRequest> Sent) Init(string? transactionalId = null, long nowMs = 0)
    {
        var effects = new Effects();
        var context = new RequestContext(new ConnectionId(1), ListenerKind.Broker, _nextCorrelationId++, 4, "client", "host", nowMs);
        _issuer.HandleInitProducerId(context, new InitProducerIdRequest { TransactionalId = transactionalId }, nowMs, effects);
        IReadOnlyList<NodeEffect> drained = effects.Drain();
        var answer = (InitProducerIdResponse)drained.OfType<NodeEffect.Respond>().Single().Body;
        return (answer, drained.OfType<NodeEffect.SendRequest>().ToList());
    }

    private void Grant(NodeEffect.SendRequest sent, long start, int length, short error = 0, long nowMs = 0) =>
        _issuer.HandleResponse(sent.CorrelationId,
            new AllocateProducerIdsResponse { ErrorCode = error, ProducerIdStart = start, ProducerIdLen = length }, nowMs, new Effects());

    [Fact]
    public void TheFirstCallWaitsForABlockWhichTheNextCallsDrawFrom()
    {
        (InitProducerIdResponse first, List<NodeEffect.SendRequest> sent) = Init();
        Assert.Equal((short)ErrorCode.CoordinatorLoadInProgress, first.ErrorCode);
        var request = (AllocateProducerIdsRequest)Assert.Single(sent).Body;
        Assert.Equal((1, 77L, 3000), (request.BrokerId, request.BrokerEpoch, sent[0].ToNodeId));
        Assert.Empty(Init().Sent); // one request in flight at a time
        Grant(sent[0], start: 5_000, length: 100);
        InitProducerIdResponse firstIssued = Init().Answer;
        Assert.Equal(((short)0, 5_000L, (short)0), (firstIssued.ErrorCode, firstIssued.ProducerId, firstIssued.ProducerEpoch));
        InitProducerIdResponse second = Init().Answer;
        Assert.Equal((5_001L, (short)0), (second.ProducerId, second.ProducerEpoch));
    }

    [Fact]
    public void TheNextBlockIsFetchedAtNinetyPercentAndTakenOverSeamlessly()
    {
        NodeEffect.SendRequest first = Init().Sent.Single();
        Grant(first, start: 0, length: 10);
        List<NodeEffect.SendRequest> prefetches = [];
        var ids = new List<long>();
        for (int i = 0; i < 10; i++)
        {
            (InitProducerIdResponse answer, List<NodeEffect.SendRequest> sent) = Init();
            ids.Add(answer.ProducerId);
            prefetches.AddRange(sent);
        }
        Assert.Equal(Enumerable.Range(0, 10).Select(id => (long)id), ids);
        Assert.Single(prefetches); // sent when id 9 (90% of the block) went out
        Grant(prefetches[0], start: 10, length: 10);
        Assert.Equal(10, Init().Answer.ProducerId);
    }

    [Fact]
    public void ABlockThatOverlapsOrIsEmptyIsRefusedAndRetriedAfterBackoff()
    {
        NodeEffect.SendRequest first = Init(nowMs: 0).Sent.Single();
        Grant(first, start: -5, length: 10, nowMs: 0);
        Assert.Empty(Init(nowMs: 10).Sent); // still backing off
        NodeEffect.SendRequest retry = Init(nowMs: ProducerIdIssuer.RetryBackoffMs).Sent.Single();
        Grant(retry, start: 0, length: 0, nowMs: 100);
        Assert.Equal((short)ErrorCode.CoordinatorLoadInProgress, Init(nowMs: 101).Answer.ErrorCode);
    }

    [Fact]
    public void NoControllerMeansNoRequestButStillAnAnswer()
    {
        _peers.ActiveControllerId = null;
        (InitProducerIdResponse answer, List<NodeEffect.SendRequest> sent) = Init();
        Assert.Equal((short)ErrorCode.CoordinatorLoadInProgress, answer.ErrorCode);
        Assert.Empty(sent);
    }

    [Fact]
    public void ATransactionalProducerIsToldTransactionsAreNotSupported()
    {
        (InitProducerIdResponse answer, List<NodeEffect.SendRequest> sent) = Init(transactionalId: "tx-1");
        Assert.Equal((short)ProducerIdIssuer.TransactionsUnsupported, answer.ErrorCode);
        Assert.Equal((-1L, (short)-1), (answer.ProducerId, answer.ProducerEpoch));
        Assert.Empty(sent);
    }
}
