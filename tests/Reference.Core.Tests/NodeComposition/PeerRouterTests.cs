using Reference.Core.Node;
using Reference.Protocol.Messages;

namespace Reference.Core.Tests.NodeComposition;

public sealed class PeerRouterTests
{
    [Fact]
    public void AnswersGoBackToTheRoomThatAsked()
    {
        var router = new PeerRouter(selfNodeId: 1, _ => null);
        var effects = new Effects();
        var raftAnswers = new List<int>();
        var controllerAnswers = new List<int>();
        IPeerSender raft = router.SenderFor(new((from, id, _, _, _) => raftAnswers.Add(id), (_, _, _, _) => { }));
        IPeerSender controller = router.SenderFor(new((from, id, _, _, _) => controllerAnswers.Add(id), (_, _, _, _) => { }));
        int first = raft.Send(2, 0, new VoteRequest(), effects);
        int second = controller.Send(3, 0, new BrokerHeartbeatRequest(), effects);
        Assert.NotEqual(first, second);
        Assert.Equal(2, effects.Drain().OfType<NodeEffect.SendRequest>().Count());
        router.DeliverResponse(3, second, new BrokerHeartbeatResponse(), 0, effects);
        router.DeliverResponse(2, first, new VoteResponse(), 0, effects);
        Assert.Equal([first], raftAnswers);
        Assert.Equal([second], controllerAnswers);
    }

    /// <summary>Only a data-plane fetch (the Replication channel) is given the address the node resolves; Raft's Fetch is not.</summary>
    [Fact]
    public void OnlyReplicationRequestsCarryTheResolvedAddress()
    {
        var router = new PeerRouter(1, id => new Endpoint("PLAINTEXT", $"broker-{id}", 9000 + id));
        var effects = new Effects();
        IPeerSender sender = router.SenderFor(new((_, _, _, _, _) => { }, (_, _, _, _) => { }));
        sender.Send(2, 17, new FetchRequest { Topics = [new FetchRequest.FetchTopic { Topic = "t" }] }, effects);
        sender.Send(3, 17, new FetchRequest { Topics = [new FetchRequest.FetchTopic { Topic = TopicPartition.ClusterMetadata.Topic }] }, effects);
        sender.Send(3, 0, new BrokerHeartbeatRequest(), effects);
        Endpoint?[] addresses = [.. effects.Drain().OfType<NodeEffect.SendRequest>().Select(s => s.Address)];
        Assert.Equal(3, addresses.Length);
        Assert.Equal(new Endpoint("PLAINTEXT", "broker-2", 9002), addresses[0]);
        Assert.Null(addresses[1]);
        Assert.Null(addresses[2]);
    }

    [Fact]
    public void AnAnswerFromTheWrongNodeOrForAnUnknownIdIsDropped()
    {
        var router = new PeerRouter(1, _ => null);
        var effects = new Effects();
        int answers = 0;
        IPeerSender sender = router.SenderFor(new((_, _, _, _, _) => answers++, (_, _, _, _) => { }));
        int id = sender.Send(2, 0, new VoteRequest(), effects);
        router.DeliverResponse(3, id, new VoteResponse(), 0, effects);
        router.DeliverResponse(2, id + 100, new VoteResponse(), 0, effects);
        Assert.Equal(0, answers);
        router.DeliverResponse(2, id, new VoteResponse(), 0, effects);
        router.DeliverResponse(2, id, new VoteResponse(), 0, effects);
        Assert.Equal(1, answers);
    }

    [Fact]
    public void RequestsToSelfStayInProcess()
    {
        var router = new PeerRouter(1, _ => null);
        var effects = new Effects();
        IPeerSender sender = router.SenderFor(new((_, _, _, _, _) => { }, (_, _, _, _) => { }));
        int id = sender.Send(1, 3, new BrokerRegistrationRequest(), effects);
        Assert.Equal(0, effects.Count);
        Assert.True(router.TryTakeLoopback(5, out RequestContext context, out IRequestBody body));
        Assert.True(PeerRouter.IsLoopback(context.Connection));
        Assert.Equal(id, context.CorrelationId);
        Assert.Equal(3, context.ApiVersion);
        Assert.IsType<BrokerRegistrationRequest>(body);
        Assert.False(router.TryTakeLoopback(5, out _, out _));
    }

    [Fact]
    public void FailingAPeerFailsOnlyItsRequests()
    {
        var router = new PeerRouter(1, _ => null);
        var effects = new Effects();
        var failed = new List<int>();
        IPeerSender sender = router.SenderFor(new((_, _, _, _, _) => { }, (to, id, _, _) => failed.Add(to)));
        sender.Send(2, 0, new VoteRequest(), effects);
        sender.Send(3, 0, new VoteRequest(), effects);
        sender.Send(2, 0, new VoteRequest(), effects);
        router.FailAllTo(2, 0, effects);
        Assert.Equal([2, 2], failed);
        Assert.Equal(1, router.PendingCount);
    }
}
