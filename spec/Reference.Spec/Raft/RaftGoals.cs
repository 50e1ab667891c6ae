using Reference.Simulation.Monitors;

namespace Reference.Spec.Raft;

/// <summary>
/// The "sometimes" goals the Raft monitors count (spec/README.md lists them): states a run with faults should
/// reach now and then. A sweep in which no run reached one is not testing what we think.
/// </summary>
public static class RaftGoals
{
    /// <summary>A new leader took an epoch (the first election counts); `kraft sim` prints it as "leader changes".</summary>
    public const string LeaderChange = CoverageGoals.LeaderChange;

    /// <summary>Two voters stood as candidates in the same epoch: a split vote was possible (Raft §5.2).</summary>
    public const string RivalCandidates = "raft.rival-candidates";

    /// <summary>A voter refused a pre-vote (KIP-996): the check that keeps a partitioned voter from disrupting the quorum ran.</summary>
    public const string PreVoteRejected = "raft.pre-vote-rejected";

    /// <summary>A replica cut its metadata log's uncommitted tail to follow a new leader (KIP-595's divergence handling).</summary>
    public const string LogTruncated = "raft.log-truncated";

    /// <summary>A node wrote a snapshot of the metadata image (KIP-630): the snapshot knobs bit.</summary>
    public const string SnapshotWritten = "raft.snapshot-written";

    /// <summary>A follower installed a snapshot it fetched from the leader with FetchSnapshot (KIP-630).</summary>
    public const string SnapshotInstalled = "raft.snapshot-installed";
}
