using FsCheck;
using FsCheck.Fluent;
using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;

namespace Reference.Core.Tests.Controller;

/// <summary>
/// Random interleavings of topic operations, partial commits and leader changes (with the uncommitted tail
/// kept or truncated, as Raft may do either): the committed log always replays without a fault (so no name
/// is created twice), a creation is reported successful only once its TopicRecord is committed, and every
/// request is answered exactly once.
/// </summary>
public sealed class QuorumControllerProperties
{
    private const int StepsPerRun = 40;

    [Fact]
    public void AnswersNeverGetAheadOfTheCommittedLogWhateverTheInterleaving()
    {
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed => Run(new SplitMix64Random((ulong)seed)))
            .Check(Config.QuickThrowOnFailure.WithMaxTest(150));
    }

    private static void Run(SplitMix64Random random)
    {
        var harness = new ControllerHarness();
        harness.RegisterUnfencedBrokers(1, 2, 3);
        var sent = new List<int>();
        var checkedAnswers = new HashSet<int>();
        for (int step = 0; step < StepsPerRun; step++)
        {
            Step(harness, random, sent);
            CheckNewAnswers(harness, checkedAnswers);
        }
        EnsureLeader(harness);
        harness.CommitAll();
        harness.Tick(harness.NowMs + 1);
        harness.CommitAll();
        CheckNewAnswers(harness, checkedAnswers);
        Assert.All(sent, correlationId => Assert.True(harness.Answers.ContainsKey(correlationId), $"request {correlationId} was never answered"));
    }

    private static void Step(ControllerHarness harness, SplitMix64Random random, List<int> sent)
    {
        string name = $"t{random.Next(4)}";
        switch (random.Next(6))
        {
            case 0 or 1:
                sent.Add(harness.Send(ControllerHarness.CreateTopics((name, 1 + random.Next(3), (short)(1 + random.Next(3))))));
                break;
            case 2:
                sent.Add(harness.Send(new DeleteTopicsRequest { TopicNames = [name] }, version: 5));
                break;
            case 3:
                sent.Add(harness.Send(new CreatePartitionsRequest { Topics = [new CreatePartitionsRequest.CreatePartitionsTopic { Name = name, Count = 1 + random.Next(5) }] }));
                break;
            case 4:
                long committed = harness.Committed.Offset;
                harness.CommitUpTo(committed + random.Next((int)Math.Max(1, harness.Log.NextOffset - committed)));
                break;
            default:
                ChangeLeader(harness, truncate: random.Next(2) == 0);
                break;
        }
    }

    /// <summary>Leadership goes away and comes back in a new epoch, with or without the uncommitted tail.</summary>
    private static void ChangeLeader(ControllerHarness harness, bool truncate)
    {
        harness.Log.IsLeader = false;
        harness.Controller.OnLeaderChange(harness.NowMs, harness.Effects);
        if (truncate)
        {
            harness.Log.Batches.RemoveAll(b => b.BaseOffset > harness.Committed.Offset);
            harness.Log.NextOffset = harness.Committed.Offset + 1;
        }
        harness.Log.Epoch++;
        EnsureLeader(harness);
        harness.Tick(harness.NowMs);
    }

    private static void EnsureLeader(ControllerHarness harness)
    {
        harness.Log.IsLeader = true;
        harness.Controller.OnLeaderChange(harness.NowMs, harness.Effects);
    }

    private static void CheckNewAnswers(ControllerHarness harness, HashSet<int> checkedAnswers)
    {
        foreach (var (correlationId, body) in harness.Answers)
        {
            if (!checkedAnswers.Add(correlationId) || body is not CreateTopicsResponse create) continue;
            foreach (var topic in create.Topics.Where(t => t.ErrorCode == (short)ErrorCode.None))
                Assert.True(CommittedTopicRecord(harness, topic.TopicId), $"{topic.Name} was reported created before its record was committed");
        }
    }

    private static bool CommittedTopicRecord(ControllerHarness harness, Uuid topicId) =>
        harness.Log.Batches.Any(b => b.BaseOffset + b.Records.Count - 1 <= harness.Committed.Offset
            && b.Records.Any(r => r.Record is TopicRecord t && t.TopicId == topicId));
}
