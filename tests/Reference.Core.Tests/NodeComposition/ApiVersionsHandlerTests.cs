using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Framing;
using Reference.Protocol.Messages;

namespace Reference.Core.Tests.NodeComposition;

public sealed class ApiVersionsHandlerTests
{
    [Theory]
    [InlineData("librdkafka", "2.0.2", ErrorCode.None)]
    [InlineData("confluent-kafka-python", "1.7.0-rdkafka-2.0.2", ErrorCode.None)]
    [InlineData("bad name", "1.0", ErrorCode.InvalidRequest)]
    [InlineData("name", "1.0-", ErrorCode.InvalidRequest)]
    public void SoftwareNamesAreCheckedFromVersion3(string name, string softwareVersion, ErrorCode expected)
    {
        var request = new ApiVersionsRequest { ClientSoftwareName = name, ClientSoftwareVersion = softwareVersion };
        Assert.Equal((short)expected, ApiVersionsHandler.Answer(request, 3, ApiVersionTable.BrokerListener).ErrorCode);
        Assert.Equal((short)ErrorCode.None, ApiVersionsHandler.Answer(request, 2, ApiVersionTable.BrokerListener).ErrorCode);
    }

    [Fact]
    public void TheAnswerListsTheListenersTable()
    {
        ApiVersionsResponse answer = ApiVersionsHandler.Answer(new ApiVersionsRequest(), 0, ApiVersionTable.ControllerListener);
        Assert.Contains(answer.ApiKeys, k => k.ApiKey == (short)ApiKey.Vote);
        Assert.DoesNotContain(answer.ApiKeys, k => k.ApiKey == (short)ApiKey.JoinGroup);
    }
}
