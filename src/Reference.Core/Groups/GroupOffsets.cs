namespace Reference.Core.Groups;

/// <summary>
/// A committed offset as the coordinator keeps it (Kafka's <c>OffsetAndMetadata</c>), with the log offset of
/// the record that stored it, so that of two commits the later one in the log wins however they complete.
/// </summary>
/// <param name="ExpireTimestampMs">Only from OffsetCommit v1-v4 that asked for one; otherwise the group's retention applies (KIP-211).</param>
internal readonly record struct CommittedOffset(
    long Offset,
    int LeaderEpoch,
    string Metadata,
    long CommitTimestampMs,
    long? ExpireTimestampMs,
    long RecordOffset);

/// <summary>
/// A group's committed offsets, and the commits written but not yet committed in the log (Kafka's
/// <c>pendingOffsetCommits</c>). A commit is visible to OffsetFetch only once its record is committed; a
/// deletion in between cancels it, so the in-memory view always equals a replay of the log.
/// </summary>
internal sealed class GroupOffsets
{
    private readonly SortedDictionary<TopicPartition, CommittedOffset> _committed = new();

    /// <summary>Stage ids of commits in flight per partition; looked up, never enumerated.</summary>
    private readonly Dictionary<TopicPartition, List<long>> _pending = new();

    private long _nextStageId;

    public int Count => _committed.Count;

    public bool IsEmpty => _committed.Count == 0;

    /// <summary>Some commit is written but not yet committed.</summary>
    public bool HasAnyPending => _pending.Count > 0;

    /// <summary>In partition order, so responses and tombstones come out the same every run.</summary>
    public IEnumerable<KeyValuePair<TopicPartition, CommittedOffset>> All => _committed;

    public bool TryGet(TopicPartition partition, out CommittedOffset offset) => _committed.TryGetValue(partition, out offset);

    public bool HasPending(TopicPartition partition) => _pending.ContainsKey(partition);

    /// <summary>Notes a commit written to the log; returns the id its completion must present.</summary>
    public long Stage(TopicPartition partition)
    {
        long stageId = _nextStageId++;
        if (!_pending.TryGetValue(partition, out List<long>? staged)) _pending[partition] = staged = [];
        staged.Add(stageId);
        return stageId;
    }

    /// <summary>
    /// The commit's record is committed: it becomes visible unless a deletion cancelled it meanwhile, or a
    /// commit later in the log already landed (Kafka's <c>onOffsetCommitAppend</c>). Returns whether it applied.
    /// </summary>
    public bool Complete(TopicPartition partition, long stageId, CommittedOffset offset)
    {
        if (!Unstage(partition, stageId)) return false;
        if (_committed.TryGetValue(partition, out CommittedOffset current) && current.RecordOffset > offset.RecordOffset) return false;
        _committed[partition] = offset;
        return true;
    }

    /// <summary>The commit's write failed: forget it.</summary>
    public void Fail(TopicPartition partition, long stageId) => Unstage(partition, stageId);

    /// <summary>Removes the committed offset and cancels commits in flight; true if an offset was committed.</summary>
    public bool Remove(TopicPartition partition)
    {
        _pending.Remove(partition);
        return _committed.Remove(partition);
    }

    /// <summary>Replaying the log: a record sets the offset, a tombstone removes it.</summary>
    public void Replay(TopicPartition partition, CommittedOffset? offset)
    {
        GroupInvariant.Check(_pending.Count == 0, "nothing is in flight while a partition loads");
        if (offset is CommittedOffset value) _committed[partition] = value;
        else _committed.Remove(partition);
    }

    /// <summary>
    /// Kafka's <c>removeExpiredOffsets</c> selection: offsets with no commit in flight whose explicit expiry
    /// passed, or, without one, whose base timestamp is at least <paramref name="retentionMs"/> old. Offsets of
    /// <paramref name="keptTopics"/> (topics the group still consumes) never expire.
    /// </summary>
    public IReadOnlyList<TopicPartition> Expired(long nowMs, long retentionMs, Func<CommittedOffset, long> baseTimestampMs, IReadOnlySet<string>? keptTopics)
    {
        var expired = new List<TopicPartition>();
        foreach ((TopicPartition partition, CommittedOffset offset) in _committed)
        {
            if (keptTopics is not null && keptTopics.Contains(partition.Topic)) continue;
            if (_pending.ContainsKey(partition)) continue;
            bool due = offset.ExpireTimestampMs is long expireAtMs
                ? nowMs >= expireAtMs
                : nowMs - baseTimestampMs(offset) >= retentionMs;
            if (due) expired.Add(partition);
        }
        return expired;
    }

    private bool Unstage(TopicPartition partition, long stageId)
    {
        if (!_pending.TryGetValue(partition, out List<long>? staged) || !staged.Remove(stageId)) return false;
        if (staged.Count == 0) _pending.Remove(partition);
        return true;
    }
}
