using Reference.Simulation;
using Reference.Simulation.Faults;
using Reference.Simulation.Monitors;
using Reference.Spec.Raft;

namespace Reference.Spec.Tests;

/// <summary>
/// <see cref="RaftObservation.Of"/> carries over, from one event to the next, the readings of the nodes the
/// event did not step. Here every reading the monitors were handed is held to a fresh read of its node after
/// every event of real runs under every fault (crashes, some cutting a step short, restarts on empty disks,
/// rotted sectors, partitions), with the data workload's history between them: a carried-over reading that
/// went stale fails the run, naming the node and the event.
/// </summary>
public sealed class ObservationReuseTests
{
    /// <summary>Checked after spec/'s own monitors, on the observation they shared.</summary>
    private sealed class FreshReadComparison : IMonitor
    {
        private RaftObservation? _previous;

        public string Name => "FreshReadComparison";

        /// <summary>Readings that were the previous event's objects, handed on.</summary>
        public long CarriedOver { get; private set; }

        public long Compared { get; private set; }

        public MonitorViolation? Check(ClusterView view)
        {
            RaftObservation shared = RaftObservation.Of(view);
            for (int i = 0; i < view.Nodes.Count; i++)
            {
                RaftNodeReading kept = shared.Nodes[i];
                if (_previous is not null && i < _previous.Nodes.Count && ReferenceEquals(kept, _previous.Nodes[i])) CarriedOver++;
                Compared++;
                if (Difference(kept, RaftNodeReading.Of(view.Nodes[i])) is { } difference)
                    return new MonitorViolation($"node {kept.NodeId}'s reading after {view.LastEvent.GetType().Name} (event {view.EventNumber}) is stale: {difference}");
            }
            _previous = shared;
            return null;
        }

        private static string? Difference(RaftNodeReading kept, RaftNodeReading fresh)
        {
            if (kept.NodeId != fresh.NodeId || kept.IsVoter != fresh.IsVoter || kept.Incarnation != fresh.Incarnation) return "another node or incarnation";
            if (kept.Replica != fresh.Replica) return $"replica {kept.Replica}, now {fresh.Replica}";
            if (!ReferenceEquals(kept.Persisted, fresh.Persisted)) return "another persisted quorum state";
            if (!ReferenceEquals(kept.Storage, fresh.Storage) || kept.IsVoterDiskReplaced != fresh.IsVoterDiskReplaced) return "another disk";
            if (kept.Snapshots is null || fresh.Snapshots is null) return kept.Snapshots == fresh.Snapshots ? null : "snapshots read while down, or not read while up";
            bool same = kept.Snapshots with { Snapshots = [] } == fresh.Snapshots with { Snapshots = [] } && kept.Snapshots.Snapshots.SequenceEqual(fresh.Snapshots.Snapshots);
            return same ? null : $"snapshots {kept.Snapshots}, now {fresh.Snapshots}";
        }
    }

    [Theory]
    [InlineData("all")]
    [InlineData("all,crash-interval-ms=1s,restart-empty=0.5,crash-mid-step=0.5")]
    public void EveryReadingTheMonitorsAreHandedIsWhatAFreshReadGives(string faults)
    {
        Assert.True(FaultSpec.TryParse(faults, out FaultSpec spec, out string? error), error);
        long carriedOver = 0, compared = 0;
        for (ulong seed = 1; seed <= 20; seed++)
        {
            var comparison = new FreshReadComparison();
            SimulationOptions options = RealNodeSweepTests.Options(seed) with { Faults = spec };
            SimulationResult result = new SimulatedCluster(options, RealNodeSweepTests.RealNode, [.. SpecMonitors.All(), comparison],
                SimulatedCluster.DefaultWorkload()).Run();
            Assert.True(result.Outcome.IsOk, $"seed {seed} (faults {faults}): {result.Outcome}");
            carriedOver += comparison.CarriedOver;
            compared += comparison.Compared;
        }
        // Not vacuous: most readings were carried over (an event steps one node of three).
        Assert.True(carriedOver > compared / 2, $"only {carriedOver} of {compared} readings were carried over");
    }
}
