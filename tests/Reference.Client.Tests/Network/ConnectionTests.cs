using System.Net;
using System.Net.Sockets;
using Reference.Client.Errors;
using Reference.Client.Network;
using Reference.Client.Tests.Responder;
using Reference.Protocol.Framing;
using Reference.Protocol.Messages;

namespace Reference.Client.Tests.Network;

public sealed class ConnectionTests
{
    /// <summary>A 127.0.0.1 port nothing listens on: bound, then released.</summary>
    public static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [Fact]
    public async Task ARefusedConnectionSaysWhereAndWhatToCheck()
    {
        int port = ClosedPort();
        var options = new ClientOptions { BootstrapServers = [new BrokerEndpoint("127.0.0.1", port)], RetryBackoffMs = 10 };
        await using var cluster = new ClusterClient(options);
        var error = await Assert.ThrowsAsync<KafkaConnectionException>(() => cluster.ConnectToAnyAsync(CancellationToken.None));
        Assert.Equal($"Connection to 127.0.0.1:{port} refused: is the broker running?", error.Message);
        Assert.Equal($"127.0.0.1:{port}", error.Endpoint);
    }

    [Fact]
    public void ABootstrapServerWithoutAPortIsRejectedWithTheExpectedForm()
    {
        var error = Assert.Throws<KafkaClientException>(() => BrokerEndpoint.ParseList("localhost"));
        Assert.Equal("'localhost' is not a broker address: write it as HOST:PORT, e.g. 127.0.0.1:9092.", error.Message);
    }

    [Fact]
    public async Task TheFirstRequestIsApiVersionsV3NamingThisClient()
    {
        await using var responder = new ScriptedResponder(request => request.ApiKey == ApiKey.Metadata ? new Reply(ClusterScript.Metadata(0)) : null);
        await using var cluster = responder.NewClusterClient();
        await cluster.RefreshMetadataAsync([], allowAutoTopicCreation: false, CancellationToken.None);
        DecodedRequest first = responder.Requests[0];
        Assert.Equal(ApiKey.ApiVersions, first.ApiKey);
        Assert.Equal(3, first.ApiVersion);
        Assert.Equal("reference-kafka-client", ((ApiVersionsRequest)first.Body).ClientSoftwareName);
        Assert.Equal("test", first.Header.ClientId);
        Assert.Equal(12, responder.Requests[1].ApiVersion); // BrokerListener's Metadata max, within ours
    }

    [Fact]
    public async Task EachApiIsSentInTheHighestVersionBothSidesSupport()
    {
        await using var responder = new ScriptedResponder(request => request.ApiKey == ApiKey.Metadata ? new Reply(ClusterScript.Metadata(0)) : null);
        responder.VersionOverrides[ApiKey.Metadata] = (0, 5);
        await using var cluster = responder.NewClusterClient();
        await cluster.RefreshMetadataAsync(["t"], allowAutoTopicCreation: false, CancellationToken.None);
        Assert.Equal(5, responder.Requests.Single(r => r.ApiKey == ApiKey.Metadata).ApiVersion);
    }

    [Fact]
    public async Task AnApiTheBrokerLacksFailsWithBothRanges()
    {
        await using var responder = new ScriptedResponder(_ => null);
        responder.VersionOverrides[ApiKey.DescribeQuorum] = (5, 6);
        await using var cluster = responder.NewClusterClient();
        BrokerConnection connection = await cluster.ConnectToAnyAsync(CancellationToken.None);
        var error = Assert.Throws<KafkaProtocolException>(() => connection.VersionFor(ApiKey.DescribeQuorum));
        Assert.Equal($"The broker at 127.0.0.1:{responder.Port} supports versions 5-6 of DescribeQuorum and this client versions 0-2: they have none in common.", error.Message);
    }

    /// <summary>KIP-511: a broker without ApiVersions v3 answers in v0 with error 35 and its own range; we retry in its highest.</summary>
    [Fact]
    public async Task AnOlderBrokerGetsApiVersionsAgainInItsHighestVersion()
    {
        ScriptedResponder? self = null;
        await using var responder = new ScriptedResponder(request =>
        {
            if (request.ApiKey != ApiKey.ApiVersions) return request.ApiKey == ApiKey.Metadata ? new Reply(ClusterScript.Metadata(self!.Port)) : null;
            var table = ApiVersionTable.BrokerListener.ToResponseEntries();
            table.Single(e => e.ApiKey == (short)ApiKey.ApiVersions).MaxVersion = 2;
            return request.ApiVersion > 2
                ? new Reply(new ApiVersionsResponse { ErrorCode = 35, ApiKeys = table }, AsVersion: 0)
                : new Reply(new ApiVersionsResponse { ApiKeys = table });
        });
        self = responder;
        await using var cluster = responder.NewClusterClient();
        await cluster.RefreshMetadataAsync([], allowAutoTopicCreation: false, CancellationToken.None);
        Assert.Equal([3, 2], responder.Requests.Where(r => r.ApiKey == ApiKey.ApiVersions).Select(r => (int)r.ApiVersion));
        Assert.Single(responder.Requests, r => r.ApiKey == ApiKey.Metadata);
    }

    [Fact]
    public async Task PipelinedRequestsGetTheirOwnAnswers()
    {
        ScriptedResponder? self = null;
        await using var responder = new ScriptedResponder(request => request.ApiKey == ApiKey.Metadata
            ? new Reply(ClusterScript.Metadata(self!.Port, (((MetadataRequest)request.Body).Topics![0].Name!, 1)))
            : null);
        self = responder;
        await using var cluster = responder.NewClusterClient();
        var names = Enumerable.Range(0, 20).Select(i => $"topic-{i}").ToList();
        var answers = await Task.WhenAll(names.Select(n => cluster.RefreshMetadataAsync([n], false, CancellationToken.None)));
        Assert.Equal(names, answers.Select(a => a.Topics.Single().Name));
    }

    [Fact]
    public async Task ABrokerThatClosesTheConnectionFailsTheWaitingRequest()
    {
        await using var responder = new ScriptedResponder(request =>
            request.ApiKey == ApiKey.Metadata ? throw new IOException("drop the connection") : null);
        await using var cluster = responder.NewClusterClient();
        var error = await Assert.ThrowsAsync<KafkaConnectionException>(() => cluster.RefreshMetadataAsync([], false, CancellationToken.None));
        Assert.Equal($"Connection to 127.0.0.1:{responder.Port} was closed by the broker.", error.Message);
    }
}
