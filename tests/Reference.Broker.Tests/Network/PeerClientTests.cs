using System.Net;
using System.Net.Sockets;
using Reference.Core.Node;
using Reference.Protocol.Framing;
using Reference.Protocol.Messages;

namespace Reference.Broker.Tests.Network;

/// <summary>Requests the node sends to its peers: each ends as exactly one ResponseReceived or RequestFailed.</summary>
public sealed class PeerClientTests
{
    private static NodeEffect.SendRequest ApiVersionsTo(int nodeId, int correlationId) =>
        new(nodeId, correlationId, 3, new ApiVersionsRequest { ClientSoftwareName = "kraft", ClientSoftwareVersion = "1" });

    [Fact]
    public async Task AnAnswerComesBackAsResponseReceivedWithTheSendersCorrelationId()
    {
        using var peer = new TcpListener(IPAddress.Loopback, 0);
        peer.Start();
        Task<DecodedRequest> served = ServeOneAsync(peer);
        var node = new TestDoubleNode();
        node.OnStarted.Add(ApiVersionsTo(2, 77));
        await using TestBroker broker = await TestBroker.StartAsync(node, voters: $"1@127.0.0.1:1,2@127.0.0.1:{((IPEndPoint)peer.LocalEndpoint).Port}");
        DecodedRequest request = await served;
        Assert.Equal((ApiKey.ApiVersions, (short)3, 77, "kraft-node-1-controller"), (request.ApiKey, request.ApiVersion, request.CorrelationId, request.Header.ClientId));
        await TestBroker.WaitForAsync(() => node.Saw<NodeInput.ResponseReceived>(r => r.FromNodeId == 2 && r.CorrelationId == 77 && r.Body is ApiVersionsResponse),
            "ResponseReceived");
    }

    /// <summary>
    /// Raft's requests and controller requests to one peer go on separate connections (PeerChannel): a
    /// heartbeat the controller answers only after a commit must not hold up the fetch that commit needs.
    /// </summary>
    [Fact]
    public async Task RaftAndControllerRequestsToOnePeerTravelOnSeparateConnections()
    {
        using var peer = new TcpListener(IPAddress.Loopback, 0);
        peer.Start();
        var node = new TestDoubleNode();
        node.OnStarted.Add(new NodeEffect.SendRequest(2, 11, 0, new BrokerHeartbeatRequest { BrokerId = 1 }));
        node.OnStarted.Add(new NodeEffect.SendRequest(2, 12, 2, new VoteRequest()));
        await using TestBroker broker = await TestBroker.StartAsync(node, voters: $"1@127.0.0.1:1,2@127.0.0.1:{((IPEndPoint)peer.LocalEndpoint).Port}");
        DecodedRequest[] received = await Task.WhenAll(ReadOneUnansweredAsync(peer), ReadOneUnansweredAsync(peer));
        Assert.Equal(
            [(ApiKey.Vote, "kraft-node-1-raft"), (ApiKey.BrokerHeartbeat, "kraft-node-1-controller")],
            received.Select(r => (r.ApiKey, r.Header.ClientId)).OrderBy(r => r.ApiKey).ToArray());
    }

    [Fact]
    public async Task ARefusedConnectionFailsTheRequest()
    {
        int closedPort = FreePort();
        var node = new TestDoubleNode();
        node.OnStarted.Add(ApiVersionsTo(3, 5));
        await using TestBroker broker = await TestBroker.StartAsync(node, voters: $"1@127.0.0.1:1,3@127.0.0.1:{closedPort}");
        await TestBroker.WaitForAsync(() => node.Saw<NodeInput.RequestFailed>(f => f.ToNodeId == 3 && f.CorrelationId == 5 && f.Reason.Contains("cannot connect", StringComparison.Ordinal)),
            "RequestFailed");
    }

    [Fact]
    public async Task ASilentPeerFailsTheRequestAtTheRequestTimeout()
    {
        using var peer = new TcpListener(IPAddress.Loopback, 0);
        peer.Start();
        var node = new TestDoubleNode();
        node.OnStarted.Add(ApiVersionsTo(2, 9));
        await using TestBroker broker = await TestBroker.StartAsync(node, "controller.quorum.request.timeout.ms=200",
            voters: $"1@127.0.0.1:1,2@127.0.0.1:{((IPEndPoint)peer.LocalEndpoint).Port}");
        using TcpClient accepted = await peer.AcceptTcpClientAsync();
        await TestBroker.WaitForAsync(() => node.Saw<NodeInput.RequestFailed>(f => f.CorrelationId == 9 && f.Reason.Contains("timed out", StringComparison.Ordinal)),
            "RequestFailed by timeout");
        Assert.False(node.Saw<NodeInput.ResponseReceived>(_ => true));
    }

    [Fact]
    public async Task ANodeWithoutAnAddressFailsAtOnce()
    {
        var node = new TestDoubleNode();
        node.OnStarted.Add(ApiVersionsTo(9, 1));
        await using TestBroker broker = await TestBroker.StartAsync(node);
        await TestBroker.WaitForAsync(() => node.Saw<NodeInput.RequestFailed>(f => f.ToNodeId == 9 && f.Reason.Contains("no address", StringComparison.Ordinal)),
            "RequestFailed");
    }

    private static NodeEffect.SendRequest ReplicaFetchTo(int nodeId, int correlationId, Endpoint? address) =>
        new(nodeId, correlationId, 17, new FetchRequest { ReplicaId = 1, Topics = [new FetchRequest.FetchTopic { Topic = "t" }] }, address);

    /// <summary>
    /// A replica fetch goes to the address it carries (the leader's registered inter-broker endpoint), for a
    /// node that is no voter at all; when that address changes the connection moves with it, and what waited
    /// on the old one fails. A fetch with no address is refused at once.
    /// </summary>
    [Fact]
    public async Task AReplicaFetchGoesToTheAddressItCarriesAndFollowsItWhenItMoves()
    {
        using var first = new TcpListener(IPAddress.Loopback, 0);
        using var second = new TcpListener(IPAddress.Loopback, 0);
        first.Start();
        second.Start();
        Task<DecodedRequest> onSecond = ServeOneFetchAsync(second);
        var node = new TestDoubleNode();
        node.OnStarted.Add(ReplicaFetchTo(2, 21, new Endpoint("PLAINTEXT", "127.0.0.1", ((IPEndPoint)first.LocalEndpoint).Port)));
        node.OnStarted.Add(ReplicaFetchTo(2, 22, new Endpoint("PLAINTEXT", "127.0.0.1", ((IPEndPoint)second.LocalEndpoint).Port)));
        node.OnStarted.Add(ReplicaFetchTo(3, 23, address: null));
        await using TestBroker broker = await TestBroker.StartAsync(node);

        DecodedRequest request = await onSecond;
        Assert.Equal((ApiKey.Fetch, 22, "kraft-node-1-replication"), (request.ApiKey, request.CorrelationId, request.Header.ClientId));
        await TestBroker.WaitForAsync(() => node.Saw<NodeInput.ResponseReceived>(r => r.FromNodeId == 2 && r.CorrelationId == 22 && r.Body is FetchResponse),
            "ResponseReceived from the new address");
        await TestBroker.WaitForAsync(() => node.Saw<NodeInput.RequestFailed>(f => f.ToNodeId == 2 && f.CorrelationId == 21 && f.Reason.Contains("moved", StringComparison.Ordinal)),
            "RequestFailed for the fetch left on the old address");
        await TestBroker.WaitForAsync(() => node.Saw<NodeInput.RequestFailed>(f => f.ToNodeId == 3 && f.CorrelationId == 23 && f.Reason.Contains("no endpoint", StringComparison.Ordinal)),
            "RequestFailed for the fetch without an address");
    }

    /// <summary>Reads one request as a leader would and answers it with an empty Fetch response.</summary>
    private static async Task<DecodedRequest> ServeOneFetchAsync(TcpListener listener)
    {
        TcpClient client = await listener.AcceptTcpClientAsync();
        NetworkStream stream = client.GetStream();
        DecodedRequest request = await ReadRequestAsync(stream);
        await stream.WriteAsync(FrameEncoder.Response(request.CorrelationId, request.ApiVersion, new FetchResponse()));
        return request;
    }

    /// <summary>Reads one request as a peer would and answers it with an ApiVersions response.</summary>
    private static async Task<DecodedRequest> ServeOneAsync(TcpListener listener)
    {
        TcpClient client = await listener.AcceptTcpClientAsync();
        NetworkStream stream = client.GetStream();
        DecodedRequest request = await ReadRequestAsync(stream);
        await stream.WriteAsync(FrameEncoder.Response(request.CorrelationId, request.ApiVersion,
            new ApiVersionsResponse { ApiKeys = ApiVersionTable.ControllerListener.ToResponseEntries() }));
        return request;
    }

    /// <summary>Accepts one connection and reads its first request without answering it.</summary>
    private static async Task<DecodedRequest> ReadOneUnansweredAsync(TcpListener listener) =>
        await ReadRequestAsync((await listener.AcceptTcpClientAsync()).GetStream());

    private static async Task<DecodedRequest> ReadRequestAsync(NetworkStream stream)
    {
        byte[] prefix = new byte[4];
        await stream.ReadExactlyAsync(prefix);
        byte[] frame = new byte[System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(prefix)];
        await stream.ReadExactlyAsync(frame);
        return RequestDecoder.Decode(frame).Request!;
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
