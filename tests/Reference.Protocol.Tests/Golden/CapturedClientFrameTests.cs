using Reference.Protocol.Framing;
using Reference.Protocol.Messages;

namespace Reference.Protocol.Tests.Golden;

/// <summary>
/// The opening requests of real clients (kcat and confluent-kafka-python on librdkafka 2.0.2, kafkajs
/// 2.2.4), recorded in Golden/captured/ (its README says how). We must read each one, and writing back
/// what we read must give the client's bytes exactly, or we would mis-frame what clients send.
/// </summary>
public sealed class CapturedClientFrameTests
{
    private const int CapturedFilesMin = 6;

    private static string CapturedFolder => Path.Combine(AppContext.BaseDirectory, "Golden", "captured");

    public static TheoryData<string> CapturedFiles()
    {
        var files = Directory.GetFiles(CapturedFolder, "*.hex").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList();
        Assert.True(files.Count >= CapturedFilesMin, $"found {files.Count} captured frames in {CapturedFolder}, expected at least {CapturedFilesMin}");
        return new TheoryData<string>(files);
    }

    [Theory]
    [MemberData(nameof(CapturedFiles))]
    public void ReencodingADecodedCaptureGivesTheClientsBytes(string file)
    {
        byte[] captured = Load(file);
        DecodedRequest request = Decode(file);

        byte[] reencoded = FrameEncoder.Request(request.Header, request.Body);

        Assert.Equal(captured.Length, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(reencoded));
        GoldenFrame.AssertSameBytes(captured, reencoded.AsSpan(4));
    }

    [Theory]
    [InlineData("kcat-apiversions-v3.hex", "librdkafka", "2.0.2")]
    [InlineData("confluent-python-apiversions-v3.hex", "confluent-kafka-python", "1.7.0-rdkafka-2.0.2")]
    public void LibrdkafkaOpensWithApiVersionsV3NamingItsSoftware(string file, string softwareName, string softwareVersion)
    {
        DecodedRequest request = Decode(file);

        AssertHeader(request, ApiKey.ApiVersions, version: 3, correlationId: 1, clientId: "rdkafka");
        var body = Assert.IsType<ApiVersionsRequest>(request.Body);
        Assert.Equal(softwareName, body.ClientSoftwareName);
        Assert.Equal(softwareVersion, body.ClientSoftwareVersion);
    }

    [Fact]
    public void KafkajsOpensWithApiVersionsV2()
    {
        DecodedRequest request = Decode("kafkajs-apiversions-v2.hex");

        AssertHeader(request, ApiKey.ApiVersions, version: 2, correlationId: 0, clientId: "reference-capture");
        var body = Assert.IsType<ApiVersionsRequest>(request.Body);
        Assert.Equal("", body.ClientSoftwareName); // v3+ only: not on the wire, left at its default
    }

    /// <summary>An empty topic array asks for brokers only; a null one asks for every topic.</summary>
    [Theory]
    [InlineData("kcat-metadata.hex", 4, 2, "rdkafka", false, false)]                  // bootstrap: brokers only
    [InlineData("kcat-metadata-all-topics.hex", 4, 3, "rdkafka", true, true)]         // kcat -L
    [InlineData("kafkajs-metadata.hex", 6, 1, "reference-capture", true, false)]      // admin.listTopics()
    public void MetadataRequestsSayWhichTopicsAndWhetherToCreateThem(
        string file, short version, int correlationId, string clientId, bool allTopics, bool allowAutoTopicCreation)
    {
        DecodedRequest request = Decode(file);

        AssertHeader(request, ApiKey.Metadata, version, correlationId, clientId);
        var body = Assert.IsType<MetadataRequest>(request.Body);
        if (allTopics) Assert.Null(body.Topics);
        else Assert.Empty(Assert.IsType<List<MetadataRequest.MetadataRequestTopic>>(body.Topics));
        Assert.Equal(allowAutoTopicCreation, body.AllowAutoTopicCreation);
    }

    private static byte[] Load(string file) =>
        Convert.FromHexString(File.ReadAllText(Path.Combine(CapturedFolder, file)).Trim());

    private static DecodedRequest Decode(string file)
    {
        RequestDecodeResult result = RequestDecoder.Decode(Load(file));
        Assert.True(result.IsSuccess, $"{file}: {result.Error}");
        return result.Request!;
    }

    private static void AssertHeader(DecodedRequest request, ApiKey apiKey, short version, int correlationId, string clientId)
    {
        Assert.Equal(apiKey, request.ApiKey);
        Assert.Equal(version, request.ApiVersion);
        Assert.Equal(correlationId, request.CorrelationId);
        Assert.Equal(clientId, request.Header.ClientId);
    }
}
