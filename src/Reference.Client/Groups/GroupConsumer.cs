using Reference.Client.Consumer;
using Reference.Client.Errors;
using Reference.Client.Network;
using Reference.Client.Records;

namespace Reference.Client.Groups;

/// <summary>
/// A consumer in a group (classic protocol, eager rebalancing): it joins, reads the partitions the group
/// gives it from their committed offsets (or from <see cref="ConsumerOptions.AutoOffsetReset"/> where none
/// is committed), heartbeats and commits as it polls, and leaves the group when closed. Poll at least
/// every heartbeat interval or so: heartbeats ride on polls. Not thread-safe: one caller polls.
/// </summary>
public sealed class GroupConsumer : IAsyncDisposable
{
    private readonly ClusterClient _cluster;
    private readonly GroupMembership _membership;
    private readonly KafkaConsumer _fetcher;
    private IReadOnlyList<string> _topics = [];
    private bool _mustJoin = true;
    private long _nextAutoCommitAtMs;

    public GroupConsumer(ClusterClient cluster, string groupId, GroupConsumerOptions? options = null, IRecordBatchCodec? codec = null)
    {
        if (string.IsNullOrEmpty(groupId)) throw new KafkaClientException("A group consumer needs a group id.");
        _cluster = cluster;
        Options = options ?? new GroupConsumerOptions();
        _membership = new GroupMembership(cluster, groupId, Options);
        _fetcher = new KafkaConsumer(cluster, Options.Fetch, codec);
    }

    public GroupConsumerOptions Options { get; }

    public string GroupId => _membership.GroupId;

    public string MemberId => _membership.MemberId;

    public int GenerationId => _membership.GenerationId;

    public IReadOnlyCollection<TopicPartition> Assignment => _fetcher.Assignment;

    public void Subscribe(IEnumerable<string> topics)
    {
        _topics = topics.Distinct().Order(StringComparer.Ordinal).ToList();
        _mustJoin = true;
    }

    /// <summary>Joins or rejoins when needed, heartbeats and auto-commits when due, then fetches once.</summary>
    public async Task<IReadOnlyList<ConsumerRecord>> PollAsync(CancellationToken cancellationToken)
    {
        if (_topics.Count == 0) throw new KafkaClientException("Subscribe to at least one topic before polling.");
        if (!_mustJoin && await _membership.HeartbeatIfDueAsync(cancellationToken)) _mustJoin = true;
        if (_mustJoin) await RejoinAsync(cancellationToken);
        if (Options.AutoCommitIntervalMs is int interval && Environment.TickCount64 >= _nextAutoCommitAtMs)
        {
            await CommitAsync(cancellationToken);
            _nextAutoCommitAtMs = Environment.TickCount64 + interval;
        }
        return await _fetcher.PollAsync(cancellationToken);
    }

    /// <summary>Commits the current position of every assigned partition that has one.</summary>
    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        if (_membership.MemberId.Length == 0 || _fetcher.Assignment.Count == 0) return;
        var positions = new SortedDictionary<TopicPartition, long>();
        foreach (TopicPartition partition in _fetcher.Assignment)
            if (_fetcher.Position(partition) is long position) positions[partition] = position;
        try
        {
            await CommittedOffsets.CommitAsync(await _membership.CoordinatorAsync(cancellationToken), GroupId,
                _membership.GenerationId, _membership.MemberId, positions, cancellationToken);
        }
        catch (KafkaApiException error) when (error.Code is ErrorCode.RebalanceInProgress or ErrorCode.IllegalGeneration or ErrorCode.UnknownMemberId)
        {
            _mustJoin = true; // the partitions may go elsewhere; the next owner starts from the last commit
        }
    }

    private async Task RejoinAsync(CancellationToken cancellationToken)
    {
        if (Options.AutoCommitIntervalMs is not null) await CommitQuietlyAsync(cancellationToken);
        IReadOnlyList<TopicPartition> assignment = await _membership.JoinAsync(_topics, cancellationToken);
        // Eager protocol: every partition was given up; read each from the group's committed offset.
        _fetcher.Assign([]);
        _fetcher.Assign(assignment);
        if (assignment.Count > 0)
        {
            var committed = await CommittedOffsets.FetchAsync(await _membership.CoordinatorAsync(cancellationToken), GroupId, assignment, cancellationToken);
            foreach (var (partition, offset) in committed) _fetcher.Seek(partition, offset);
        }
        _mustJoin = false;
        _nextAutoCommitAtMs = Environment.TickCount64 + (Options.AutoCommitIntervalMs ?? 0);
    }

    /// <summary>Commits before giving partitions up; on failure the next owner rereads from the last commit.</summary>
    private async Task CommitQuietlyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await CommitAsync(cancellationToken);
        }
        catch (KafkaClientException)
        {
        }
    }

    /// <summary>Commits (when auto-commit is on) and leaves the group.</summary>
    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        if (Options.AutoCommitIntervalMs is not null) await CommitQuietlyAsync(cancellationToken);
        await _membership.LeaveAsync(cancellationToken);
        _mustJoin = true;
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(_cluster.Options.RequestTimeoutMs);
        await CloseAsync(timeout.Token);
    }
}
