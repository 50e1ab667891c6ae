using System.Text;
using Reference.Broker.Storage;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;

namespace Reference.Broker.Tests.Storage;

public sealed class QuorumStateFileTests
{
    [Fact]
    public void AStaticQuorumStateIsWrittenInKafkasVersionZeroLayout()
    {
        var state = new QuorumStateData { LeaderId = 1, LeaderEpoch = 5, VotedId = -1, CurrentVoters = [new() { VoterId = 1 }] };
        Assert.Equal("""{"clusterId":"","leaderId":1,"leaderEpoch":5,"votedId":-1,"appliedOffset":0,"currentVoters":[{"voterId":1}],"data_version":0}""",
            Encoding.UTF8.GetString(QuorumStateFile.ToJson(state)));
    }

    [Fact]
    public void AVotedDirectoryIdNeedsVersionOne()
    {
        var state = new QuorumStateData { LeaderId = -1, LeaderEpoch = 2, VotedId = 3, VotedDirectoryId = new Uuid(7, 9) };
        string json = Encoding.UTF8.GetString(QuorumStateFile.ToJson(state));
        Assert.Contains("\"data_version\":1", json, StringComparison.Ordinal);
        QuorumStateData read = QuorumStateFile.FromJson(Encoding.UTF8.GetBytes(json));
        Assert.Equal((-1, 2, 3, new Uuid(7, 9)), (read.LeaderId, read.LeaderEpoch, read.VotedId, read.VotedDirectoryId));
    }

    [Fact]
    public void WritingReplacesTheFileWholeAndLeavesNoTemporaryBehind()
    {
        using var directory = new TemporaryDirectory();
        string path = QuorumStateFile.PathIn(directory.Combine("__cluster_metadata-0"));
        Assert.Null(QuorumStateFile.Read(path));
        for (int epoch = 1; epoch <= 3; epoch++) QuorumStateFile.Write(path, new QuorumStateData { LeaderId = 1, LeaderEpoch = epoch, VotedId = 1 });
        Assert.Equal(3, QuorumStateFile.Read(path)!.LeaderEpoch);
        Assert.Equal(["quorum-state"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }

    [Fact]
    public void AnUnreadableFileIsAnErrorNotAFreshStart()
    {
        using var directory = new TemporaryDirectory();
        string path = directory.Combine("quorum-state");
        File.WriteAllText(path, "{\"leaderId\":");
        Assert.Throws<InvalidDataException>(() => QuorumStateFile.Read(path));
    }
}
