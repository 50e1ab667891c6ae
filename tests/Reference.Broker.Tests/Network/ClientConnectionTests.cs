using System.Buffers.Binary;
using Reference.Core.Node;
using Reference.Protocol.Framing;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;

namespace Reference.Broker.Tests.Network;

/// <summary>The broker's sockets seen from a client: framing, ordering, and the answers the shell gives itself.</summary>
public sealed class ClientConnectionTests
{
    [Fact]
    public async Task AnApiVersionsVersionBeyondTheSchemaIsAnsweredInVersionZeroWithError35AndTheListenersTable()
    {
        await using TestBroker broker = await TestBroker.StartAsync(new TestDoubleNode());
        using RawClient client = await RawClient.ConnectAsync(broker.Endpoint("PLAINTEXT"));
        // ApiVersions v5: size, key 18, version 5, correlation id 42, a null client id, no tagged fields.
        await client.SendAsync([0, 0, 0, 11, 0, 18, 0, 5, 0, 0, 0, 42, 0xFF, 0xFF, 0]);
        byte[] answer = (await client.ReadFrameAsync())!;
        Assert.Equal(ExpectedUnsupportedVersionAnswer(42, ApiVersionTable.BrokerListener), answer);
        Assert.Empty(broker.Node.Inputs.OfType<NodeInput.RequestReceived>());
    }

    [Fact]
    public async Task AnApiVersionsVersionTheListenerDoesNotServeGetsTheSameAnswerAndTheConnectionStaysOpen()
    {
        await using TestBroker broker = await TestBroker.StartAsync(new TestDoubleNode());
        using RawClient client = await RawClient.ConnectAsync(broker.Endpoint("CONTROLLER"));
        await client.SendAsync(RawClient.ApiVersionsRequest(7, version: 4)); // in the schema (0-4), not in the table (0-3)
        Assert.Equal(ExpectedUnsupportedVersionAnswer(7, ApiVersionTable.ControllerListener), await client.ReadFrameAsync());
        await client.SendAsync(RawClient.ApiVersionsRequest(8, version: 3));
        Assert.Equal(8, RawClient.CorrelationIdOf((await client.ReadFrameAsync())!));
    }

    [Fact]
    public async Task PipelinedRequestsAreAnsweredInOrderAndHandedToTheNodeOneAtATime()
    {
        await using TestBroker broker = await TestBroker.StartAsync(new TestDoubleNode());
        using RawClient client = await RawClient.ConnectAsync(broker.Endpoint("PLAINTEXT"));
        const int requests = 25;
        await client.SendAsync(Enumerable.Range(100, requests).SelectMany(id => RawClient.ApiVersionsRequest(id)).ToArray());
        var answered = new List<int>();
        for (int i = 0; i < requests; i++) answered.Add(RawClient.CorrelationIdOf((await client.ReadFrameAsync())!));
        Assert.Equal(Enumerable.Range(100, requests), answered);
        Assert.Equal(1, broker.Node.MaxInFlightPerConnection);
    }

    [Fact]
    public async Task ManyConnectionsAreServedAtOnce()
    {
        await using TestBroker broker = await TestBroker.StartAsync(new TestDoubleNode());
        RawClient[] clients = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => RawClient.ConnectAsync(broker.Endpoint("PLAINTEXT"))));
        try
        {
            await Task.WhenAll(clients.Select((c, i) => c.SendAsync(RawClient.ApiVersionsRequest(i))));
            int[] answered = await Task.WhenAll(clients.Select(async c => RawClient.CorrelationIdOf((await c.ReadFrameAsync())!)));
            Assert.Equal(Enumerable.Range(0, 40), answered);
            Assert.Equal(40, broker.Node.Inputs.OfType<NodeInput.RequestReceived>().Select(r => r.Context.Connection).Distinct().Count());
        }
        finally
        {
            foreach (RawClient client in clients) client.Dispose();
        }
    }

    [Fact]
    public async Task AnAcksZeroProduceGetsNoAnswerAndTheNextRequestIsRead()
    {
        await using TestBroker broker = await TestBroker.StartAsync(new TestDoubleNode());
        using RawClient client = await RawClient.ConnectAsync(broker.Endpoint("PLAINTEXT"));
        byte[] produce = FrameEncoder.Request(
            new RequestHeader { RequestApiKey = (short)ApiKey.Produce, RequestApiVersion = 7, CorrelationId = 1, ClientId = "p" },
            new ProduceRequest { Acks = 0, TimeoutMs = 1000 });
        await client.SendAsync([.. produce, .. RawClient.ApiVersionsRequest(2)]);
        Assert.Equal(2, RawClient.CorrelationIdOf((await client.ReadFrameAsync())!));
        Assert.True(broker.Node.Saw<NodeInput.RequestReceived>(r => r.Body is ProduceRequest { Acks: 0 }));
    }

    [Fact]
    public async Task AFrameOverTheSizeLimitClosesTheConnection()
    {
        await using TestBroker broker = await TestBroker.StartAsync(new TestDoubleNode(), "socket.request.max.bytes=1000");
        using RawClient client = await RawClient.ConnectAsync(broker.Endpoint("PLAINTEXT"));
        await client.SendAsync([0, 0, 0x03, 0xE9, 0, 18]); // 1001 bytes claimed
        Assert.Null(await client.ReadFrameAsync());
        await TestBroker.WaitForAsync(() => broker.Log.ToString().Contains("over socket.request.max.bytes=1000", StringComparison.Ordinal), "the log line");
    }

    [Fact]
    public async Task GarbageClosesTheConnectionWithOneLogLine()
    {
        await using TestBroker broker = await TestBroker.StartAsync(new TestDoubleNode());
        using RawClient client = await RawClient.ConnectAsync(broker.Endpoint("PLAINTEXT"));
        await client.SendAsync([0, 0, 0, 10, 0x7F, 0x7F, 0, 0, 0, 0, 0, 9, 1, 2]); // API key 32639
        Assert.Null(await client.ReadFrameAsync());
        await TestBroker.WaitForAsync(() => broker.Log.ToString().Contains("UnknownApiKey", StringComparison.Ordinal), "the log line");
        Assert.Empty(broker.Node.Inputs.OfType<NodeInput.RequestReceived>());
    }

    [Fact]
    public async Task AnApiTheListenerDoesNotServeClosesTheConnection()
    {
        await using TestBroker broker = await TestBroker.StartAsync(new TestDoubleNode());
        using RawClient client = await RawClient.ConnectAsync(broker.Endpoint("CONTROLLER"));
        byte[] produce = FrameEncoder.Request(
            new RequestHeader { RequestApiKey = (short)ApiKey.Produce, RequestApiVersion = 7, CorrelationId = 1, ClientId = "p" },
            new ProduceRequest { Acks = 1, TimeoutMs = 1000 });
        await client.SendAsync(produce);
        Assert.Null(await client.ReadFrameAsync());
    }

    [Fact]
    public async Task TheNodeHearsWhenAConnectionItKnowsCloses()
    {
        await using TestBroker broker = await TestBroker.StartAsync(new TestDoubleNode());
        ConnectionId connection;
        using (RawClient client = await RawClient.ConnectAsync(broker.Endpoint("PLAINTEXT")))
        {
            await client.SendAsync(RawClient.ApiVersionsRequest(1));
            await client.ReadFrameAsync();
            connection = broker.Node.Inputs.OfType<NodeInput.RequestReceived>().Single().Context.Connection;
        }
        await TestBroker.WaitForAsync(() => broker.Node.Saw<NodeInput.ConnectionClosed>(c => c.Connection == connection), "ConnectionClosed");
    }

    /// <summary>ApiVersions v0 by hand: correlation id, error code, then the table as int32 count and (key, min, max) int16s.</summary>
    private static byte[] ExpectedUnsupportedVersionAnswer(int correlationId, ApiVersionTable table)
    {
        KeyValuePair<ApiKey, VersionRange>[] entries = table.Entries.ToArray();
        var bytes = new byte[4 + 2 + 4 + entries.Length * 6];
        BinaryPrimitives.WriteInt32BigEndian(bytes, correlationId);
        BinaryPrimitives.WriteInt16BigEndian(bytes.AsSpan(4), 35);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(6), entries.Length);
        for (int i = 0; i < entries.Length; i++)
        {
            Span<byte> entry = bytes.AsSpan(10 + i * 6);
            BinaryPrimitives.WriteInt16BigEndian(entry, (short)entries[i].Key);
            BinaryPrimitives.WriteInt16BigEndian(entry[2..], entries[i].Value.Lowest);
            BinaryPrimitives.WriteInt16BigEndian(entry[4..], entries[i].Value.Highest);
        }
        return bytes;
    }
}
