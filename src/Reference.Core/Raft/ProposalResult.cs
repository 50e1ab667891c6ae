namespace Reference.Core.Raft;

/// <summary>Why the leader did not take a proposal.</summary>
public enum ProposalRejection
{
    None,

    /// <summary>This replica is not the leader (any more); the controller must not propose until it is.</summary>
    NotLeader,

    /// <summary>The records would make a batch larger than <see cref="RaftLimits.BatchSizeBytesMax"/>.</summary>
    BatchTooLarge,
}

/// <summary>
/// The outcome of <see cref="RaftReplica.TryPropose"/>: where the proposal's batch landed, in which epoch.
/// The batch is committed once <see cref="RaftReplica.HighWatermark"/> passes <see cref="LastOffset"/>, and
/// lost for good if the epoch ends first without that happening.
/// </summary>
public readonly record struct ProposalResult(ProposalRejection Rejection, int Epoch, long BaseOffset, long LastOffset)
{
    public bool IsAccepted => Rejection == ProposalRejection.None;

    public static ProposalResult Rejected(ProposalRejection rejection, int epoch) => new(rejection, epoch, -1, -1);
}
