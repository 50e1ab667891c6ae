using Reference.Simulation.Faults;
using Reference.Simulation.Tests.Toys;
using Reference.Simulation.Workload;

namespace Reference.Simulation.Tests.Workload;

/// <summary>The metadata workload's plumbing, against toy controllers (the real Node will answer for real).</summary>
public sealed class MetadataProposalWorkloadTests
{
    private static SimRun Run(ulong seed, long durationMs, long clientTimeoutMs = 30_000, FaultSpec? spec = null, params ScheduledFault[] faults) =>
        SimRun.Of(new SimulationOptions
        {
            Seed = seed,
            DurationMs = durationMs,
            ClientRequestTimeoutMs = clientTimeoutMs,
            Faults = spec ?? FaultSpec.None,
            ScheduledFaults = faults,
        },
            ToyControllerNode.Implementation, workload: new MetadataProposalWorkload(clientCount: 2));

    [Fact]
    public void ProposalsFollowNotControllerToTheControllerAndSucceed()
    {
        SimRun run = Run(1, 20_000);
        Assert.True(run.Result.Outcome.IsOk, run.Describe);
        IReadOnlyList<HistoryEntry> history = run.Cluster.View.History.Entries;
        int invoked = history.Count(e => e.Kind == HistoryKind.Invoke);
        int ok = history.Count(e => e.Kind == HistoryKind.Ok);
        Assert.InRange(invoked, 150, 400);
        Assert.InRange(ok, invoked - 2, invoked);
        Assert.DoesNotContain(history, e => e.Kind is HistoryKind.Fail or HistoryKind.Info);
        Assert.Contains("listener=controller host=c1", run.Trace);
        // Every completion pairs with an invocation of the same operation by the same client.
        foreach (HistoryEntry done in history.Where(e => e.Kind != HistoryKind.Invoke))
            Assert.Contains(history, e => e.Kind == HistoryKind.Invoke && e.OperationId == done.OperationId && e.ClientId == done.ClientId);
        // A client holds a bounded set of topics: once it has enough it deletes its oldest, and each deletion
        // names a topic that client created.
        List<HistoryEntry> deletions = history.Where(e => e.Kind == HistoryKind.Invoke && e.Operation == "delete-topic").ToList();
        Assert.InRange(deletions.Count, invoked / 3, invoked);
        foreach (HistoryEntry deletion in deletions)
            Assert.Contains(history, e => e.Kind == HistoryKind.Ok && e.Operation == "create-topic" && e.ClientId == deletion.ClientId && e.Value == deletion.Value);
        Assert.Equal(history.Count(e => e.Kind == HistoryKind.Invoke) - ok, run.Cluster.View.History.Open().Count);
    }

    [Fact]
    public void ProposalsWithTheControllerDownFailAfterTheirAttemptsAndResumeAfterIt()
    {
        SimRun run = Run(2, 20_000, faults: new ScheduledFault(5_000, new ClusterFault.Crash(ToyControllerNode.ControllerId, RestartAfterMs: 5_000)));
        Assert.True(run.Result.Outcome.IsOk, run.Describe);
        IReadOnlyList<HistoryEntry> history = run.Cluster.View.History.Entries;
        Assert.Contains(history, e => e.Kind == HistoryKind.Fail && e.Value.Contains("NotController", StringComparison.Ordinal) || e.Value.Contains("refused", StringComparison.Ordinal));
        Assert.Contains(history, e => e.Kind == HistoryKind.Ok && e.TimeMs > 11_000);
    }

    [Fact]
    public void AProposalWhoseRequestOrAnswerIsLostIsIndeterminate()
    {
        SimRun run = Run(3, 20_000, clientTimeoutMs: 500, FaultSpec.None.With(FaultKnob.Loss, 300_000));
        Assert.True(run.Result.Outcome.IsOk, run.Describe);
        IReadOnlyList<HistoryEntry> history = run.Cluster.View.History.Entries;
        // The client cannot know whether a proposal it got no answer to took effect.
        Assert.Contains(history, e => e.Kind == HistoryKind.Info && e.Value.Contains("timeout", StringComparison.Ordinal));
        // The rest still get through.
        Assert.Contains(history, e => e.Kind == HistoryKind.Ok);
    }
}
