using Reference.Core.Node;
using Reference.Protocol.Messages;
using Reference.Protocol.Records;

namespace Reference.Core.Raft;

/// <summary>The leader's epoch: its LeaderChange record, proposals, the high watermark, and stepping down.</summary>
public sealed partial class RaftReplica
{
    /// <summary>
    /// Appends the records as one batch at the log end, in this leader's epoch, with null keys: the values
    /// are metadata records already framed by the metadata room. The batch is flushed; it commits once a
    /// majority holds it durably (<see cref="HighWatermark"/> passes <see cref="ProposalResult.LastOffset"/>).
    /// Each proposal is its own batch, so its records commit or vanish together.
    /// </summary>
    public ProposalResult TryPropose(IReadOnlyList<ReadOnlyMemory<byte>> recordValues, long nowMs, Effects effects)
    {
        RequireStarted();
        if (recordValues.Count == 0) throw new ArgumentException("a proposal holds at least one record", nameof(recordValues));
        if (_quorum.Current is not LeaderState leader) return ProposalResult.Rejected(ProposalRejection.NotLeader, Epoch);
        long valueBytes = recordValues.Sum(value => (long)value.Length);
        if (valueBytes > RaftLimits.BatchSizeBytesMax) return ProposalResult.Rejected(ProposalRejection.BatchTooLarge, Epoch);
        var builder = new RecordBatchBuilder(new RecordBatchOptions { BaseOffset = _log.EndOffset, PartitionLeaderEpoch = leader.Epoch });
        foreach (ReadOnlyMemory<byte> value in recordValues) builder.Append(nowMs, key: null, value);
        byte[] batch = builder.Build();
        if (batch.Length > RaftLimits.BatchSizeBytesMax) return ProposalResult.Rejected(ProposalRejection.BatchTooLarge, Epoch);
        long baseOffset = _log.EndOffset;
        _log.AppendAsLeader(batch, effects);
        WakeParkedFetches(nowMs);
        return new ProposalResult(ProposalRejection.None, leader.Epoch, baseOffset, _log.EndOffset - 1);
    }

    /// <summary>
    /// Graceful shutdown: a leader resigns and tells the other voters, naming its preferred successors, so
    /// the quorum elects a new leader without waiting out a fetch timeout (KIP-595's EndQuorumEpoch).
    /// Returns whether it was leading. Other states have nothing to hand over.
    /// </summary>
    public bool Resign(long nowMs, Effects effects)
    {
        RequireStarted();
        if (_quorum.Current is not LeaderState leader) return false;
        BecomeResigned(leader.PreferredSuccessors(), nowMs, effects);
        return true;
    }

    /// <summary>The LeaderChange control record (KIP-595): the epoch's leader, the voters, and who voted for it.</summary>
    private void AppendLeaderChange(LeaderState leader, long nowMs, Effects effects)
    {
        var message = new LeaderChangeMessage
        {
            Version = 0,
            LeaderId = NodeId,
            Voters = _quorum.Voters.Ids.Select(id => new LeaderChangeMessage.Voter { VoterId = id }).ToList(),
            GrantingVoters = leader.GrantingVoters.Select(id => new LeaderChangeMessage.Voter { VoterId = id }).ToList(),
        };
        byte[] batch = new RecordBatchBuilder(new RecordBatchOptions { BaseOffset = _log.EndOffset, PartitionLeaderEpoch = leader.Epoch, IsControl = true })
            .AppendControl(nowMs, ControlRecordType.LeaderChange, MessageBytes.Encode(message, 0))
            .Build();
        _log.AppendAsLeader(batch, effects);
        WakeParkedFetches(nowMs);
    }

    /// <summary>
    /// Moves the high watermark to what a majority of voters hold durably, once that includes an entry of
    /// this epoch (<see cref="LeaderState.HighWatermarkCandidate"/>); never backwards. Fetches held for long
    /// polling are answered, so followers learn of the commit at once.
    /// </summary>
    private void MaybeAdvanceHighWatermark(LeaderState leader, long nowMs, Effects effects)
    {
        // Museum switch (ReintroducedBugs.CommitPriorEpochByCounting): count replicas of earlier epochs' entries too.
        bool countPriorEpochs = _config.ReintroducedBugs.HasFlag(ReintroducedBugs.CommitPriorEpochByCounting);
        if (leader.HighWatermarkCandidate(countPriorEpochs) is not long candidate || candidate <= _highWatermark) return;
        // Followers may have flushed what the leader has not yet: the majority need not include the leader.
        if (candidate > _log.EndOffset) throw new InvalidOperationException($"high watermark {candidate} past the leader's log end {_log.EndOffset}");
        _highWatermark = candidate;
        AnswerAllParkedFetches(nowMs, effects);
    }
}
