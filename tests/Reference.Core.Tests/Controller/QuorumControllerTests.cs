using Reference.Core.Controller;
using Reference.Core.Metadata;
using Reference.Protocol;
using Reference.Protocol.Messages;

namespace Reference.Core.Tests.Controller;

public sealed class QuorumControllerTests
{
    [Fact]
    public void ANewLeaderClaimsWithANoOpAndAnswersNotControllerUntilItIsCommitted()
    {
        var harness = new ControllerHarness(activate: false);
        harness.Controller.OnLeaderChange(harness.NowMs, harness.Effects);

        Assert.Equal(ControllerState.Claiming, harness.Controller.State);
        Assert.IsType<NoOpRecord>(Assert.Single(harness.Log.Records));
        int early = harness.Send(ControllerHarness.CreateTopics(("t", 1, 1)));
        var refused = harness.AnswerTo<CreateTopicsResponse>(early)!;
        Assert.Equal((short)ErrorCode.NotController, Assert.Single(refused.Topics).ErrorCode);

        harness.CommitAll();
        Assert.Equal(ControllerState.Active, harness.Controller.State);
    }

    [Fact]
    public void AnEmptyLogIsBootstrappedWithMetadataVersionBeforeAnyOtherRecord()
    {
        var harness = new ControllerHarness();

        IMetadataRecord[] stateful = [.. harness.Log.Records.Where(r => r is not NoOpRecord)];
        var feature = Assert.IsType<FeatureLevelRecord>(stateful[0]);
        Assert.Equal((MetadataVersion.FeatureName, MetadataVersion.Level), (feature.Name, feature.FeatureLevel));
        Assert.Single(stateful);
        Assert.Equal((short)21, harness.Committed.MetadataVersionLevel);
    }

    [Fact]
    public void ALeaderOfALogThatHasAMetadataVersionDoesNotBootstrapAgain()
    {
        var harness = new ControllerHarness();
        harness.Log.IsLeader = false;
        harness.Controller.OnLeaderChange(harness.NowMs, harness.Effects);
        Assert.Equal(ControllerState.Inactive, harness.Controller.State);

        harness.Log.IsLeader = true;
        harness.Log.Epoch = 2;
        harness.Controller.OnLeaderChange(harness.NowMs, harness.Effects);
        harness.CommitAll();

        Assert.Equal(ControllerState.Active, harness.Controller.State);
        Assert.Single(harness.Log.Records.OfType<FeatureLevelRecord>());
    }

    [Fact]
    public void ANonLeaderAnswersEverythingWithNotController()
    {
        var harness = new ControllerHarness(activate: false);
        harness.Log.IsLeader = false;

        var heartbeat = harness.Call<BrokerHeartbeatResponse>(ControllerHarness.Heartbeat(1, 5, 0));
        var registration = harness.Call<BrokerRegistrationResponse>(ControllerHarness.Registration(1));

        Assert.Equal((short)ErrorCode.NotController, heartbeat.ErrorCode);
        Assert.Equal((short)ErrorCode.NotController, registration.ErrorCode);
        Assert.Empty(harness.Log.Batches);
    }

    [Fact]
    public void LeadershipLostBeforeCommitAnswersNotControllerAndForgetsTheUncommittedRecords()
    {
        var harness = new ControllerHarness();
        harness.RegisterUnfencedBrokers(1);
        int create = harness.Send(ControllerHarness.CreateTopics(("lost", 1, 1)));
        Assert.NotNull(harness.Controller.WorkingImage.Topic("lost"));

        harness.Log.IsLeader = false;
        harness.Controller.OnLeaderChange(harness.NowMs, harness.Effects);
        harness.Tick(harness.NowMs);

        var answer = harness.AnswerTo<CreateTopicsResponse>(create)!;
        Assert.Equal((short)ErrorCode.NotController, Assert.Single(answer.Topics).ErrorCode);
        Assert.Null(harness.Controller.WorkingImage.Topic("lost"));
        Assert.Equal(0, harness.Controller.PendingResponseCount);
    }

    [Fact]
    public void AnEpochChangeWhileStillLeaderAlsoFailsWhatIsPendingAndClaimsAgain()
    {
        var harness = new ControllerHarness();
        harness.RegisterUnfencedBrokers(1);
        int create = harness.Send(ControllerHarness.CreateTopics(("t", 1, 1)));

        harness.Log.Epoch = 7;
        harness.Controller.OnLeaderChange(harness.NowMs, harness.Effects);
        harness.Tick(harness.NowMs);

        Assert.Equal((short)ErrorCode.NotController, Assert.Single(harness.AnswerTo<CreateTopicsResponse>(create)!.Topics).ErrorCode);
        Assert.Equal(ControllerState.Claiming, harness.Controller.State);
    }

    [Fact]
    public void TheActiveControllerWritesANoOpEveryIdleInterval()
    {
        var harness = new ControllerHarness();
        long interval = harness.Config.MetadataMaxIdleIntervalMs;
        int before = harness.Log.Records.OfType<NoOpRecord>().Count();

        Assert.Equal(harness.NowMs + interval, harness.Controller.NextDeadlineMs);
        harness.Tick(harness.NowMs + interval - 1);
        Assert.Equal(before, harness.Log.Records.OfType<NoOpRecord>().Count());
        harness.Tick(harness.NowMs + 1);
        Assert.Equal(before + 1, harness.Log.Records.OfType<NoOpRecord>().Count());
        harness.Tick(harness.NowMs + interval);
        Assert.Equal(before + 2, harness.Log.Records.OfType<NoOpRecord>().Count());
        Assert.Equal(harness.NowMs + interval, harness.Controller.NextDeadlineMs);
    }

    [Fact]
    public void AnIdleIntervalOfZeroWritesNoNoOps()
    {
        // Kafka's metadata.max.idle.interval.ms: 0 turns the idle NoOps off (it must not mean "a NoOp every tick").
        var harness = new ControllerHarness(ControllerHarness.DefaultConfig() with { MetadataMaxIdleIntervalMs = 0 });
        int before = harness.Log.Records.OfType<NoOpRecord>().Count();

        Assert.Equal(long.MaxValue, harness.Controller.NextDeadlineMs);
        harness.Tick(harness.NowMs + 60_000);
        Assert.Equal(before, harness.Log.Records.OfType<NoOpRecord>().Count());
    }

    [Fact]
    public void AnInactiveControllerHasNoDeadline()
    {
        var harness = new ControllerHarness(activate: false);

        Assert.Equal(long.MaxValue, harness.Controller.NextDeadlineMs);
    }

    [Fact]
    public void AnAnswerWithoutRecordsStillWaitsForEverythingWrittenBeforeIt()
    {
        var harness = new ControllerHarness();
        harness.RegisterUnfencedBrokers(1);
        int first = harness.Send(ControllerHarness.CreateTopics(("t", 1, 1)));
        int duplicate = harness.Send(ControllerHarness.CreateTopics(("t", 1, 1)));

        Assert.Null(harness.AnswerTo<CreateTopicsResponse>(first));
        Assert.Null(harness.AnswerTo<CreateTopicsResponse>(duplicate));
        harness.CommitAll();

        Assert.Equal((short)ErrorCode.None, Assert.Single(harness.AnswerTo<CreateTopicsResponse>(first)!.Topics).ErrorCode);
        Assert.Equal((short)ErrorCode.TopicAlreadyExists, Assert.Single(harness.AnswerTo<CreateTopicsResponse>(duplicate)!.Topics).ErrorCode);
    }

    [Fact]
    public void TooManyWaitingAnswersAreRefusedWithRequestTimedOut()
    {
        var harness = new ControllerHarness();
        var epochs = harness.RegisterUnfencedBrokers(1);
        harness.Send(ControllerHarness.CreateTopics(("t", 1, 1)));
        int lastCorrelation = 0;
        for (int i = 1; i < PendingResponses.CountMax; i++) lastCorrelation = harness.Send(ControllerHarness.Heartbeat(1, epochs[1], harness.Committed.Offset));
        Assert.Null(harness.AnswerTo<BrokerHeartbeatResponse>(lastCorrelation));

        int refused = harness.Send(ControllerHarness.Heartbeat(1, epochs[1], harness.Committed.Offset));

        Assert.Equal((short)ErrorCode.RequestTimedOut, harness.AnswerTo<BrokerHeartbeatResponse>(refused)!.ErrorCode);
        harness.CommitAll();
        Assert.Equal((short)ErrorCode.None, harness.AnswerTo<BrokerHeartbeatResponse>(lastCorrelation)!.ErrorCode);
    }
}
