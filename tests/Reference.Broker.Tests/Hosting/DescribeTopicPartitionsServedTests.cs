using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Reference.Broker.Hosting;
using Reference.Broker.Storage;
using Reference.Broker.Tests.Network;
using Reference.Protocol;
using Reference.Protocol.Framing;
using Reference.Protocol.Messages;

namespace Reference.Broker.Tests.Hosting;

/// <summary>
/// KIP-966's DescribeTopicPartitions through the whole broker: a combined node with the core's real Node on
/// 127.0.0.1, its listener advertising API 75 and answering it, page by page, from committed metadata.
/// </summary>
public sealed class DescribeTopicPartitionsServedTests
{
    /// <summary>How long the single voter may take to elect itself, register its broker and apply a topic.</summary>
    private static readonly TimeSpan ReadyWithin = TimeSpan.FromSeconds(30);

    private int _nextCorrelationId = 1;

    [Fact]
    public async Task TheBrokerListenerAdvertisesAndServesDescribeTopicPartitionsPageByPage()
    {
        using var directory = new TemporaryDirectory();
        string configPath = WriteConfig(directory, FreePort());
        Assert.Equal(0, StorageCommands.Format(new FormatOptions(configPath, StorageCommands.RandomUuid()), new StringWriter(), new StringWriter()));
        var errors = new StringWriter();
        RunningBroker? running = await BrokerHost.StartAsync(new BrokerOptions
        {
            ConfigPath = configPath, Output = TextWriter.Synchronized(new StringWriter()), Error = errors, HandleSignals = false,
        });
        Assert.True(running is not null, errors.ToString());
        try
        {
            IPEndPoint endpoint = running!.Listeners.Single(l => l.Config.Name == "PLAINTEXT").Endpoint;
            using RawClient client = await RawClient.ConnectAsync(endpoint);

            var versions = await SendAsync<ApiVersionsResponse>(client, new ApiVersionsRequest { ClientSoftwareName = "test", ClientSoftwareVersion = "1" }, 3);
            var advertised = versions.ApiKeys.Single(k => k.ApiKey == (short)ApiKey.DescribeTopicPartitions);
            Assert.Equal((0, 0), (advertised.MinVersion, advertised.MaxVersion));

            await WaitUntilAsync(async () => (await SendAsync<MetadataResponse>(client, new MetadataRequest { Topics = [] }, 12)).Brokers.Count == 1);
            var create = new CreateTopicsRequest { TimeoutMs = 10_000, Topics = [new() { Name = "paged", NumPartitions = 3, ReplicationFactor = 1 }] };
            Assert.Equal((short)ErrorCode.None, (await SendAsync<CreateTopicsResponse>(client, create, 7)).Topics.Single().ErrorCode);

            var whole = new DescribeTopicPartitionsRequest { Topics = [new() { Name = "paged" }] };
            await WaitUntilAsync(async () => (await SendAsync<DescribeTopicPartitionsResponse>(client, whole, 0)).Topics.Single().Partitions.Count(p => p.LeaderId == 1) == 3);
            var request = new DescribeTopicPartitionsRequest { Topics = [new() { Name = "paged" }, new() { Name = "absent" }], ResponsePartitionLimit = 2 };
            var first = await SendAsync<DescribeTopicPartitionsResponse>(client, request, 0);
            request.Cursor = new DescribeTopicPartitionsRequest.CursorData { TopicName = first.NextCursor!.TopicName, PartitionIndex = first.NextCursor.PartitionIndex };
            var second = await SendAsync<DescribeTopicPartitionsResponse>(client, request, 0);

            // Name order: "absent" (unknown) first; the second page starts at the cursor's topic, so leaves it out.
            static string Page(DescribeTopicPartitionsResponse page) =>
                string.Join(" ", page.Topics.Select(t => $"{t.Name}/{(ErrorCode)t.ErrorCode}/{string.Join(",", t.Partitions.Select(p => p.PartitionIndex))}"));
            Assert.Equal("absent/UnknownTopicOrPartition/ paged/None/0,1", Page(first));
            Assert.Equal(("paged", 2), (first.NextCursor.TopicName, first.NextCursor.PartitionIndex));
            Assert.Equal("paged/None/2", Page(second));
            Assert.Null(second.NextCursor);
            Assert.All(first.Topics[1].Partitions, p => Assert.Equal((1, 0, 0), (p.LeaderId, p.EligibleLeaderReplicas!.Count, p.LastKnownElr!.Count)));
        }
        finally
        {
            await running!.StopAsync();
        }
    }

    private async Task<TResponse> SendAsync<TResponse>(RawClient client, IRequestBody body, short version) where TResponse : class, IResponseBody
    {
        int correlationId = _nextCorrelationId++;
        var header = new RequestHeader { RequestApiKey = (short)body.ApiKey, RequestApiVersion = version, CorrelationId = correlationId, ClientId = "test" };
        await client.SendAsync(FrameEncoder.Request(header, body));
        byte[] frame = await client.ReadFrameAsync() ?? throw new InvalidOperationException($"the broker closed the connection on {body.ApiKey}");
        ResponseDecodeResult decoded = ResponseDecoder.Decode(frame, body.ApiKey, version);
        Assert.True(decoded.IsSuccess, decoded.Error?.ToString());
        Assert.Equal(correlationId, decoded.Response!.Header.CorrelationId);
        return Assert.IsType<TResponse>(decoded.Response.Body);
    }

    /// <summary>Asks again every 50 ms until <paramref name="ready"/> holds; fails after <see cref="ReadyWithin"/>.</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> ready)
    {
        var clock = Stopwatch.StartNew();
        while (!await ready())
        {
            Assert.True(clock.Elapsed < ReadyWithin, "the broker was not ready in time");
            await Task.Delay(50);
        }
    }

    /// <summary>A port the kernel says is free now: the voter's address must name the controller listener's port.</summary>
    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static string WriteConfig(TemporaryDirectory directory, int controllerPort)
    {
        string path = directory.Combine("server.properties");
        File.WriteAllText(path, $"""
            process.roles=broker,controller
            node.id=1
            controller.quorum.voters=1@127.0.0.1:{controllerPort}
            listeners=PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:{controllerPort}
            controller.listener.names=CONTROLLER
            log.dirs={directory.Combine("data")}
            """);
        return path;
    }
}
