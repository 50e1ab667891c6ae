using System.Runtime.CompilerServices;
using System.Text;

namespace Reference.Core.Tests.Raft.Transcripts;

/// <summary>
/// Golden transcripts of the election and truncation paths, in etcd-raft's datadriven style: each
/// testdata/*.txt is a script of commands with the expected output below each, run against real Raft
/// replicas (<see cref="RaftTranscriptDriver"/>). A difference fails with the command, the expected and the
/// actual output. <c>REWRITE_TRANSCRIPTS=1</c> writes the actual outputs into the source files instead (then
/// review the change as a diff); nothing is ever rewritten by default.
/// </summary>
public sealed class RaftTranscriptTests
{
    public const string RewriteVariable = "REWRITE_TRANSCRIPTS";

    private static string SourceDirectory([CallerFilePath] string path = "") => Path.Combine(Path.GetDirectoryName(path)!, "testdata");

    private static string OutputDirectory => Path.Combine(AppContext.BaseDirectory, "Raft", "Transcripts", "testdata");

    private static IEnumerable<string> ScriptNames() =>
        Directory.GetFiles(OutputDirectory, "*.txt").Select(path => Path.GetFileName(path)).Order(StringComparer.Ordinal);

    public static TheoryData<string> Scripts() => new(ScriptNames());

    [Fact]
    public void EveryScenarioTheIssueAsksForHasATranscript()
    {
        string[] expected =
        [
            "initial-election.txt", "pre-vote-rejected.txt", "stale-log-loses-election.txt", "leader-failure-reelection.txt",
            "divergent-suffix-truncated.txt", "end-quorum-epoch-resignation.txt",
        ];
        Assert.Subset(ScriptNames().ToHashSet(), expected.ToHashSet());
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void TranscriptMatches(string name)
    {
        TranscriptFile file = TranscriptFile.Parse(File.ReadAllText(Path.Combine(OutputDirectory, name)));
        var driver = new RaftTranscriptDriver();
        var outputs = new List<string>();
        var differences = new StringBuilder();
        foreach (TranscriptCommand command in file.Commands)
        {
            string actual = driver.Run(command.Text);
            outputs.Add(actual);
            if (actual != command.ExpectedOutput && differences.Length == 0)
                differences.Append($"{name}:{command.LineNumber}: {command.Text}\n--- expected\n{command.ExpectedOutput}--- actual\n{actual}");
        }
        if (Environment.GetEnvironmentVariable(RewriteVariable) == "1")
        {
            File.WriteAllText(Path.Combine(SourceDirectory(), name), file.Rewrite(outputs));
            return;
        }
        Assert.True(differences.Length == 0, $"{differences}\n(the first difference; {RewriteVariable}=1 rewrites the file, then review the diff)");
    }

    [Fact]
    public void ATranscriptReadsBackAsItWasWritten()
    {
        const string text = "# a comment\n\ncluster voters=3\n----\nline one\nline two\n\n# between\nstatus\n----\nok\n";
        TranscriptFile file = TranscriptFile.Parse(text);
        Assert.Equal(["cluster voters=3", "status"], file.Commands.Select(c => c.Text));
        Assert.Equal("line one\nline two\n", file.Commands.First().ExpectedOutput);
        Assert.Equal(text, file.Rewrite(file.Commands.Select(c => c.ExpectedOutput).ToList()));
        Assert.Equal(text.Replace("line one\nline two\n", "changed\n", StringComparison.Ordinal), file.Rewrite(["changed\n", "ok\n"]));
    }
}
