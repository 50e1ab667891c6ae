using Reference.Core.Metadata;
using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;

namespace Reference.Core.Controller;

/// <summary>Where the quorum controller stands (Kafka's <c>QuorumController</c> is active or not).</summary>
public enum ControllerState
{
    /// <summary>Not the Raft leader: every request is answered NOT_CONTROLLER.</summary>
    Inactive,

    /// <summary>Leader, waiting for its first record to commit before it trusts its image (see <see cref="QuorumController"/>).</summary>
    Claiming,

    /// <summary>The active controller: requests become records.</summary>
    Active,
}

/// <summary>
/// The quorum controller (KIP-500, KIP-631; Kafka's <c>QuorumController</c>), active only while this node leads
/// the metadata quorum. It turns admin requests and broker registrations into metadata records, proposes each
/// operation's records as one atomic batch, applies them at once to its working image (Kafka's timeline
/// state, so a second operation sees the first before it commits), and answers only when the node reports
/// that the committed offset has passed them. Leadership lost before then: NOT_CONTROLLER, and the working
/// image falls back to the committed one.
/// <para>
/// Claiming: a new leader's committed image may still lack records of earlier leaders that commit only with
/// the first record of the new epoch. Kafka's Raft client holds back <c>handleLeaderChange</c> until the
/// listener has read up to the epoch's start; we get the same guarantee by proposing a NoOpRecord on election
/// and becoming active once it is committed, at which point everything before it is in the committed image.
/// Only then does an empty log get its bootstrap record, metadata.version 21 (3.9-IV0), before any other.
/// </para>
/// </summary>
public sealed class QuorumController
{
    private readonly NodeConfig _config;
    private readonly IMetadataLog _log;
    private readonly BrokerHeartbeats _heartbeats;
    private readonly TopicCreation _topicCreation;
    private readonly PartitionGrowth _partitionGrowth;
    private readonly BrokerRegistrationControl _registration;
    private readonly BrokerHeartbeatControl _heartbeatControl;
    private readonly PendingResponses _pending = new();
    private MetadataImage _committed = MetadataImage.Empty;
    private MetadataImage _working = MetadataImage.Empty;
    private int _epoch = -1;
    private long _claimOffset = -1;
    private long _lastWrittenOffset = -1;
    private long _nextNoOpMs = long.MaxValue;

    public QuorumController(NodeConfig config, IMetadataLog log, IDeterministicRandom random)
    {
        _config = config;
        _log = log;
        _heartbeats = new BrokerHeartbeats(config.BrokerSessionTimeoutMs);
        _topicCreation = new TopicCreation(config, random);
        _partitionGrowth = new PartitionGrowth(random);
        _registration = new BrokerRegistrationControl(config, _heartbeats);
        _heartbeatControl = new BrokerHeartbeatControl(_heartbeats, config);
    }

    public ControllerState State { get; private set; }

    /// <summary>The committed image plus this controller's records not yet committed; the committed image when inactive.</summary>
    public MetadataImage WorkingImage => _working;

    public int PendingResponseCount => _pending.Count;

    /// <summary>When <see cref="Tick"/> next has work: the next NoOpRecord or the next broker session to expire.</summary>
    public long NextDeadlineMs => State == ControllerState.Active ? Math.Min(_nextNoOpMs, _heartbeats.NextExpiryMs(_working)) : long.MaxValue;

    /// <summary>The Raft leader or epoch changed: resign, or claim the new epoch.</summary>
    public void OnLeaderChange(long nowMs, Effects effects) => SyncLeadership(nowMs, effects);

    /// <summary>
    /// The committed offset moved: <paramref name="committed"/> is the loader's image, with every batch below the
    /// high watermark applied. Answers the operations it covers.
    /// </summary>
    public void OnMetadataCommitted(MetadataImage committed, long nowMs, Effects effects)
    {
        if (committed.Offset < _committed.Offset)
            throw new ArgumentException($"the committed offset went back from {_committed.Offset} to {committed.Offset}", nameof(committed));
        _committed = committed;
        SyncLeadership(nowMs, effects);
        if (State == ControllerState.Claiming && committed.Offset >= _claimOffset) Activate(nowMs, effects);
        if (State == ControllerState.Active) _pending.CompleteUpTo(committed.Offset, effects);
    }

    /// <summary>Fences brokers whose session expired and writes the periodic NoOpRecord.</summary>
    public void Tick(long nowMs, Effects effects)
    {
        SyncLeadership(nowMs, effects);
        if (State != ControllerState.Active) return;
        FenceExpiredBrokers(nowMs, effects);
        if (State != ControllerState.Active || nowMs < _nextNoOpMs) return;
        // metadata.max.idle.interval.ms: a record every interval moves the high watermark, so followers and
        // brokers learn that they are caught up even when nothing happens (KIP-835).
        _nextNoOpMs = NextNoOpAfter(nowMs);
        Propose([new VersionedRecord(new NoOpRecord(), MetadataVersion.BaseRecordVersion)], nowMs, effects);
    }

    /// <summary>When the next idle NoOp is due; never when metadata.max.idle.interval.ms is 0, which Kafka documents as "no no-op records".</summary>
    private long NextNoOpAfter(long nowMs) => _config.MetadataMaxIdleIntervalMs > 0 ? nowMs + _config.MetadataMaxIdleIntervalMs : long.MaxValue;

    public void HandleCreateTopics(RequestContext context, CreateTopicsRequest request, long nowMs, Effects effects) =>
        Write(context, request, nowMs, effects, image => _topicCreation.Create(request, context.ApiVersion, image));

    public void HandleDeleteTopics(RequestContext context, DeleteTopicsRequest request, long nowMs, Effects effects) =>
        Write(context, request, nowMs, effects, image => TopicDeletion.Delete(request, image));

    public void HandleCreatePartitions(RequestContext context, CreatePartitionsRequest request, long nowMs, Effects effects) =>
        Write(context, request, nowMs, effects, image => _partitionGrowth.Grow(request, image));

    public void HandleAlterConfigs(RequestContext context, AlterConfigsRequest request, long nowMs, Effects effects) =>
        Write(context, request, nowMs, effects, image => ConfigAlteration.Replace(request, image));

    public void HandleIncrementalAlterConfigs(RequestContext context, IncrementalAlterConfigsRequest request, long nowMs, Effects effects) =>
        Write(context, request, nowMs, effects, image => ConfigAlteration.Incremental(request, image));

    public void HandleBrokerRegistration(RequestContext context, BrokerRegistrationRequest request, long nowMs, Effects effects) =>
        Write(context, request, nowMs, effects, image => _registration.Register(request, image, _lastWrittenOffset + 1, nowMs));

    public void HandleBrokerHeartbeat(RequestContext context, BrokerHeartbeatRequest request, long nowMs, Effects effects) =>
        Write(context, request, nowMs, effects, image => _heartbeatControl.Heartbeat(request, image, nowMs));

    public void HandleUnregisterBroker(RequestContext context, UnregisterBrokerRequest request, long nowMs, Effects effects) =>
        Write(context, request, nowMs, effects, image => _registration.Unregister(request, image));

    public void HandleAllocateProducerIds(RequestContext context, AllocateProducerIdsRequest request, long nowMs, Effects effects) =>
        Write(context, request, nowMs, effects, image => ProducerIdAllocation.Allocate(request, image));

    public void HandleAlterPartition(RequestContext context, AlterPartitionRequest request, long nowMs, Effects effects) =>
        Write(context, request, nowMs, effects, image => IsrChange.Alter(request, context.ApiVersion, image, _config));

    /// <summary>
    /// Runs one operation against the working image, proposes its records, and answers once everything written
    /// so far is committed. An operation without records waits too (Kafka's ControllerWriteEvent does): its
    /// answer may rest on records not yet committed, such as TOPIC_ALREADY_EXISTS for a topic being created.
    /// </summary>
    private void Write(RequestContext context, IRequestBody request, long nowMs, Effects effects, Func<MetadataImage, ControllerResult> operation)
    {
        SyncLeadership(nowMs, effects);
        if (State != ControllerState.Active)
        {
            effects.Respond(context, ControllerErrorResponses.For(request, ErrorCode.NotController));
            return;
        }
        if (_pending.IsFull)
        {
            effects.Respond(context, ControllerErrorResponses.For(request, ErrorCode.RequestTimedOut));
            return;
        }
        ControllerResult result = operation(_working);
        long waitFor = _lastWrittenOffset;
        if (result.Records.Count > 0)
        {
            if (Propose(result.Records, nowMs, effects) is not long written)
            {
                effects.Respond(context, ControllerErrorResponses.For(request, ErrorCode.NotController));
                return;
            }
            result.OnProposed?.Invoke(written);
            waitFor = written;
        }
        if (waitFor <= _committed.Offset) effects.Respond(context, result.Response);
        else _pending.Add(waitFor, context, result.Response, () => ControllerErrorResponses.For(request, ErrorCode.NotController));
    }

    /// <summary>Proposes one atomic batch and applies it to the working image; null, after resigning, when no longer leader.</summary>
    private long? Propose(IReadOnlyList<VersionedRecord> records, long nowMs, Effects effects)
    {
        if (records.Count == 0) throw new ArgumentException("an empty batch is not a proposal", nameof(records));
        if (_log.TryPropose(records, nowMs, effects) is not long last)
        {
            Resign(effects);
            return null;
        }
        long first = last - records.Count + 1;
        if (first <= _lastWrittenOffset) throw new InvalidOperationException($"the metadata log placed a batch at {first}, at or below {_lastWrittenOffset}, which is taken");
        _working = _working.Apply(records, first);
        _lastWrittenOffset = last;
        return last;
    }

    private void SyncLeadership(long nowMs, Effects effects)
    {
        bool leader = _log.IsLeader;
        if (State != ControllerState.Inactive && (!leader || _log.Epoch != _epoch)) Resign(effects);
        if (State == ControllerState.Inactive && leader) Claim(nowMs, effects);
    }

    private void Claim(long nowMs, Effects effects)
    {
        _epoch = _log.Epoch;
        if (_log.TryPropose([new VersionedRecord(new NoOpRecord(), MetadataVersion.BaseRecordVersion)], nowMs, effects) is not long barrier) return;
        State = ControllerState.Claiming;
        _claimOffset = barrier;
        _lastWrittenOffset = barrier;
    }

    private void Activate(long nowMs, Effects effects)
    {
        if (_committed.Offset < _claimOffset) throw new InvalidOperationException("a controller activates only once its claim is committed");
        State = ControllerState.Active;
        _working = _committed;
        _lastWrittenOffset = Math.Max(_lastWrittenOffset, _committed.Offset);
        _heartbeats.Reset(_working, nowMs);
        _nextNoOpMs = NextNoOpAfter(nowMs);
        if (_working.MetadataVersionLevel is null)
        {
            var bootstrap = new FeatureLevelRecord { Name = MetadataVersion.FeatureName, FeatureLevel = MetadataVersion.Level };
            Propose([new VersionedRecord(bootstrap, MetadataVersion.BaseRecordVersion)], nowMs, effects);
        }
    }

    private void Resign(Effects effects)
    {
        State = ControllerState.Inactive;
        _pending.FailAll(effects);
        _working = _committed;
        _heartbeats.Clear();
        _claimOffset = -1;
        _nextNoOpMs = long.MaxValue;
    }

    /// <summary>One batch per broker, each against the image the previous one left (Kafka fences one at a time).</summary>
    private void FenceExpiredBrokers(long nowMs, Effects effects)
    {
        foreach (int brokerId in _heartbeats.Expired(_working, nowMs))
        {
            if (_working.Broker(brokerId) is not { Fenced: false } broker) continue;
            if (Propose(_heartbeatControl.Fence(_working, broker), nowMs, effects) is null) return;
        }
    }
}
