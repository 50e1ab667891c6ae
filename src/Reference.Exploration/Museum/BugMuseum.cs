using Reference.Core.Node;

namespace Reference.Exploration.Museum;

/// <summary>
/// The museum of real bugs: one exhibit per <see cref="ReintroducedBugs"/> switch (spec/README.md lists them
/// with their stories). Each implemented one is found by its campaign within its budget, and with its
/// switch off the same campaign finds nothing (tests/Reference.Exploration.Tests).
/// </summary>
public static class BugMuseum
{
    public static IReadOnlyList<MuseumBug> Exhibits { get; } =
    [
        new(ReintroducedBugs.VoteWithoutLogComparison,
            "A voter grants its vote without comparing logs (Raft §5.4.1 dropped): a stale candidate wins and overwrites committed entries.",
            InCore: true, Voters: 3, Strategy: "random", Iterations: 20, StepsMax: 600, CrashesMax: 1, DropsMax: 1, PartitionsMax: 0, FairSuffixMs: 0, Workload: ExplorationWorkload.Metadata,
            ExpectedViolation: "LeaderCompleteness"),
        new(ReintroducedBugs.VoteBeforePersist,
            "A vote leaves before the quorum state recording it is durable; a crash between them lets the voter vote twice in one epoch (Raft Figure 2, persist before responding).",
            InCore: true, Voters: 3, Strategy: "random", Iterations: 50, StepsMax: 200, CrashesMax: 1, DropsMax: 0, PartitionsMax: 0, FairSuffixMs: 0, Workload: ExplorationWorkload.None,
            ExpectedViolation: "PersistBeforePromise"),
        new(ReintroducedBugs.CommitPriorEpochByCounting,
            "A new leader commits an earlier epoch's entry once a majority holds it, without an entry of its own epoch (Raft paper, Figure 8).",
            InCore: true, Voters: 3, Strategy: "coverage", Iterations: 20_000, StepsMax: 600, CrashesMax: 3, DropsMax: 0, PartitionsMax: 0, FairSuffixMs: 0, Workload: ExplorationWorkload.None,
            ExpectedViolation: "LeaderCompleteness"),
        new(ReintroducedBugs.PreVoteWithoutFetchCheck,
            "Followers grant pre-votes while their leader is alive (KIP-996's fetch check dropped): a voter that merely has not heard from the leader lately unseats it, though a majority still fetches from it.",
            InCore: true, Voters: 3, Strategy: "dfs", Iterations: 100, StepsMax: 200, CrashesMax: 0, DropsMax: 0, PartitionsMax: 0, FairSuffixMs: 10_000, Workload: ExplorationWorkload.None,
            ExpectedViolation: "LeaderNotDisrupted"),
        new(ReintroducedBugs.EmptyDiskVoter,
            "A voter restarted on an empty disk votes as if it had never voted (KIP-853's directory ids ignored): its vote makes a stale candidate leader, short of committed entries.",
            InCore: true, Voters: 3, Strategy: "random", Iterations: 50, StepsMax: 500, CrashesMax: 0, DropsMax: 0, PartitionsMax: 0, FairSuffixMs: 0, Workload: ExplorationWorkload.Metadata,
            ExpectedViolation: "LeaderCompleteness", WipesMax: 10, Seed: 14),
        new(ReintroducedBugs.UncleanLeaderElection,
            "Data plane: with the ISR shrunk to the leader, a replica outside it is elected and acknowledged writes are lost (Jepsen, 2013).",
            InCore: true, Voters: 3, Strategy: "timely", Iterations: 10, StepsMax: 12_000, CrashesMax: 0, DropsMax: 0, PartitionsMax: 1, FairSuffixMs: 0,
            Workload: ExplorationWorkload.Data, ExpectedViolation: "OffsetsUniqueAndMonotonic", KillsMax: 1, DataReplicationFactor: 2,
            DataMinInsyncReplicas: 1),
        // At replication factor 2 and min.insync.replicas 2 one isolation makes the shape: the follower is fenced and
        // leaves the ISR (into the ELR, with KIP-966), the leader loses its unflushed tail to a power cut and, as the
        // last ISR member, is elected again without KIP-966; the follower comes back and truncates to it.
        new(ReintroducedBugs.LastReplicaStanding,
            "Data plane: the last ISR member is elected again after an unclean restart lost its tail, and writes the replicas outside the ISR held are lost (KIP-966's fix).",
            InCore: true, Voters: 3, Strategy: "timely", Iterations: 30, StepsMax: 12_000, CrashesMax: 1, DropsMax: 0, PartitionsMax: 0, FairSuffixMs: 0,
            Workload: ExplorationWorkload.Data, ExpectedViolation: "OffsetsUniqueAndMonotonic", DataReplicationFactor: 2, IsolationsMax: 1, IsolationMs: 30_000),
    ];

    public static MuseumBug? Find(string name) => Exhibits.FirstOrDefault(b => string.Equals(b.Name, name, StringComparison.OrdinalIgnoreCase));
}
