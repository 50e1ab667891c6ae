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
