using Reference.Core.Node;
using Reference.Simulation;
using Reference.Simulation.Faults;
using Reference.Spec.Raft;

namespace Reference.Spec.Tests.Scenarios;

/// <summary>
/// KIP-630 on the real Node in the simulator: with small snapshot knobs the nodes snapshot their image every
/// few kilobytes of metadata and the log start follows the latest snapshot, so a follower that is down for a
/// while comes back behind the leader's log start, is told a SnapshotId, fetches the snapshot with
/// FetchSnapshot, installs it and catches up. Every run keeps spec/'s monitors on, SnapshotAtLogStart and
/// LeaderNeverLoadSnapshot among them.
/// </summary>
public sealed class SnapshotScenarioTests
{
    private const long SettledMs = 3_000;
    private const long DownMs = 6_000;
    private const long DurationMs = SettledMs + DownMs + 8_000;

    /// <summary>A snapshot every 512 bytes of committed metadata (a few NoOp batches, so every few seconds); the log below it goes at once.</summary>
    public static NodeConfig SmallSnapshotKnobs(NodeConfig config) => config with
    {
        MetadataSnapshotMaxNewRecordBytes = 512,
        MetadataMaxRetentionBytes = 0,
    };

    [Fact]
    public void FollowerDownPastTheLeadersLogStartInstallsTheSnapshotAndCatchesUp()
    {
        ScenarioRun.ForEachSeed(seed =>
        {
            SimulationOptions plain = ScenarioRun.Plain(seed, 3, DurationMs) with { ConfigureNode = SmallSnapshotKnobs };
            (int leader, _) = ScenarioRun.LeaderJustBefore(plain, SettledMs);
            int follower = leader % 3 + 1;
            ScenarioRun run = ScenarioRun.Of(plain with { ScheduledFaults = [new(SettledMs, new ClusterFault.Crash(follower, DownMs))] });

            Assert.True(run.Result.Coverage.Count(RaftGoals.SnapshotWritten) > 0, $"{run.Describe}: no snapshot was written");
            Assert.True(run.Result.Coverage.Count(RaftGoals.SnapshotInstalled) > 0, $"{run.Describe}: node {follower} came back and installed no snapshot");
            long committedWhileDown = run.HighWatermarkBefore(SettledMs + DownMs);
            Assert.True(run.Final.Of(follower) is { } back && back.HighWatermark >= committedWhileDown,
                $"{run.Describe}: node {follower} is at {run.Final.Of(follower)} after coming back, below {committedWhileDown} committed while it was down");
        });
    }
}
