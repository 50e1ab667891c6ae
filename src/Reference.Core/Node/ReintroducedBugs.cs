namespace Reference.Core.Node;

/// <summary>
/// Switches that put a known historical flaw back into the core, one flag per flaw, all off by default.
/// They exist so the simulator's mutation check and the explorer's museum can show that the specification
/// catches each flaw (and, with the switch off, that the fix holds). A switch is checked at exactly the one
/// place the flaw lived; nothing else in the core may read these flags. Never set outside tests, `kraft sim`
/// and `kraft explore`: server.properties has no key for them, so the broker always runs with none.
/// </summary>
[Flags]
public enum ReintroducedBugs
{
    None = 0,

    /// <summary>A voter grants its vote without comparing the candidate's log with its own (Raft §5.4.1's election restriction dropped).</summary>
    VoteWithoutLogComparison = 1 << 0,

    /// <summary>A vote is sent before the quorum state recording it is durable (persist-before-send broken).</summary>
    VoteBeforePersist = 1 << 1,

    /// <summary>A leader advances the high watermark over entries of an earlier epoch by counting replicas (Raft paper, Figure 8).</summary>
    CommitPriorEpochByCounting = 1 << 2,

    /// <summary>Pre-vote granted without KIP-996's "has fetched successfully since it began following" rule: a voter that cannot reach a live leader unseats it.</summary>
    PreVoteWithoutFetchCheck = 1 << 3,

    /// <summary>A voter restarted on an empty (re-formatted) disk takes part in votes and commits as if nothing happened.</summary>
    EmptyDiskVoter = 1 << 4,

    /// <summary>Data plane: a replica outside the ISR may be elected leader when the ISR is empty (the 2013 Jepsen loss).</summary>
    UncleanLeaderElection = 1 << 5,

    /// <summary>
    /// Data plane: Kafka 3.9's controller, without KIP-966's eligible leader replicas: the ISR never empties, so
    /// the last member left standing leads again after an unclean restart that took its unflushed tail, and the
    /// replicas that left the ISR holding more truncate to it ("last replica standing"). Read in <c>PartitionChange.Build</c>.
    /// </summary>
    LastReplicaStanding = 1 << 6,
}
