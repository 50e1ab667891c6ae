using Reference.Core.Metadata;
using Reference.Core.Node;
using Reference.Protocol;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;

namespace Reference.Core.Controller;

/// <summary>Where a broker stands with the controller (Kafka's <c>BrokerState</c> as its lifecycle manager drives it).</summary>
public enum BrokerLifecycleState
{
    /// <summary>Kafka's STARTING: no broker epoch yet; BrokerRegistration is sent until it is accepted.</summary>
    Registering,

    /// <summary>Kafka's RECOVERY: registered and heartbeating, fenced until caught up with the metadata log.</summary>
    Fenced,

    /// <summary>Unfenced: may lead partitions and be in ISRs.</summary>
    Running,

    /// <summary>Kafka's PENDING_CONTROLLED_SHUTDOWN: heartbeats ask to shut down while leaderships move away.</summary>
    ShuttingDown,

    /// <summary>The controller said ShouldShutDown: nothing more is sent.</summary>
    ShutDown,

    /// <summary>The controller belongs to another cluster (INCONSISTENT_CLUSTER_ID); retrying cannot help.</summary>
    Failed,
}

/// <summary>
/// The broker side of KIP-631 (Kafka's <c>BrokerLifecycleManager</c>): registers this node with the active
/// controller, then heartbeats every <c>broker.heartbeat.interval.ms</c> with how far it has applied the
/// metadata log, and follows what the controller answers. One request is in flight at a time; a failed or
/// refused one is retried after an exponential backoff, bounded so that a retried heartbeat still arrives
/// within the session. In combined mode the node delivers these requests to its own controller in process.
/// </summary>
public sealed class BrokerLifecycle
{
    /// <summary>The first retry's delay, doubled per failure in a row (Kafka's lifecycle manager starts at 100 ms too).</summary>
    public const long InitialBackoffMs = 100;

    /// <summary>Doublings beyond this add nothing: the backoff has long reached its cap.</summary>
    private const int BackoffDoublingsMax = 20;

    private readonly NodeConfig _config;
    private readonly IControllerLocator _controllers;
    private readonly IPeerSender _peers;
    private readonly long _backoffMaxMs;
    private readonly long _requestTimeoutMs;
    private (int CorrelationId, long DeadlineMs)? _inFlight;
    private long _nextSendMs;
    private int _failuresInRow;
    private long _metadataOffset = -1;

    public BrokerLifecycle(NodeConfig config, IControllerLocator controllers, IPeerSender peers, IDeterministicRandom random)
    {
        _config = config;
        _controllers = controllers;
        _peers = peers;
        // Half a session: a heartbeat retried after the longest backoff still lands before the session ends.
        _backoffMaxMs = Math.Max(InitialBackoffMs, config.BrokerSessionTimeoutMs / 2);
        _requestTimeoutMs = Math.Max(1, config.BrokerSessionTimeoutMs / 2);
        Span<byte> bytes = stackalloc byte[Uuid.SizeBytes];
        random.NextBytes(bytes);
        IncarnationId = Uuid.FromRandomBytes(bytes);
    }

    /// <summary>A new id per process start, so the controller tells a restart from another broker with our id.</summary>
    public Uuid IncarnationId { get; }

    public BrokerLifecycleState State { get; private set; } = BrokerLifecycleState.Registering;

    /// <summary>The epoch the controller gave this registration; -1 while unregistered.</summary>
    public long BrokerEpoch { get; private set; } = -1;

    /// <summary>The last error the controller answered (None after a success), for operators and tests.</summary>
    public ErrorCode LastError { get; private set; }

    public bool IsDone => State is BrokerLifecycleState.ShutDown or BrokerLifecycleState.Failed;

    public long NextDeadlineMs => IsDone ? long.MaxValue : _inFlight?.DeadlineMs ?? _nextSendMs;

    /// <summary>The node applied the committed metadata log up to <paramref name="lastAppliedOffset"/> (the loader's image offset).</summary>
    public void OnMetadataApplied(long lastAppliedOffset) => _metadataOffset = Math.Max(_metadataOffset, lastAppliedOffset);

    /// <summary>Sends the next registration or heartbeat when it is due; gives up on an answer that is overdue.</summary>
    public void Tick(long nowMs, Effects effects)
    {
        if (IsDone) return;
        if (_inFlight is { } inFlight)
        {
            if (nowMs < inFlight.DeadlineMs) return;
            _inFlight = null;
            Backoff(nowMs, ErrorCode.RequestTimedOut);
        }
        if (nowMs < _nextSendMs) return;
        if (_controllers.ActiveControllerId is not int controllerId)
        {
            Backoff(nowMs, ErrorCode.NotController);
            return;
        }
        IRequestBody request = State == BrokerLifecycleState.Registering ? Registration() : Heartbeat();
        short version = request is BrokerRegistrationRequest ? BrokerRegistrationRequest.Versions.Highest : BrokerHeartbeatRequest.Versions.Highest;
        int correlationId = _peers.Send(controllerId, version, request, effects);
        _inFlight = (correlationId, nowMs + _requestTimeoutMs);
    }

    /// <summary>Asks the controller to move this broker's leaderships away, then to let it shut down.</summary>
    public void BeginControlledShutdown(long nowMs, Effects effects)
    {
        if (IsDone || State == BrokerLifecycleState.ShuttingDown) return;
        // Never registered: there is nothing to hand off.
        State = State == BrokerLifecycleState.Registering ? BrokerLifecycleState.ShutDown : BrokerLifecycleState.ShuttingDown;
        _nextSendMs = nowMs;
        Tick(nowMs, effects);
    }

    /// <summary>An answer routed back by the node; false when it is not the answer this lifecycle waits for.</summary>
    public bool HandleResponse(int correlationId, IResponseBody body, long nowMs, Effects effects)
    {
        if (_inFlight?.CorrelationId != correlationId) return false;
        _inFlight = null;
        switch (body)
        {
            case BrokerRegistrationResponse registration:
                OnRegistration(registration, nowMs);
                break;
            case BrokerHeartbeatResponse heartbeat:
                OnHeartbeat(heartbeat, nowMs);
                break;
            default:
                throw new ArgumentException($"the lifecycle sent no {body.ApiKey} request", nameof(body));
        }
        Tick(nowMs, effects);
        return true;
    }

    /// <summary>The request got no answer (connection lost, peer down); false when it was not ours.</summary>
    public bool HandleRequestFailed(int correlationId, long nowMs, Effects effects)
    {
        if (_inFlight?.CorrelationId != correlationId) return false;
        _inFlight = null;
        Backoff(nowMs, ErrorCode.NetworkException);
        return true;
    }

    private void OnRegistration(BrokerRegistrationResponse response, long nowMs)
    {
        var error = (ErrorCode)response.ErrorCode;
        if (error == ErrorCode.InconsistentClusterId)
        {
            LastError = error;
            State = BrokerLifecycleState.Failed;
            return;
        }
        if (error != ErrorCode.None)
        {
            Backoff(nowMs, error);
            return;
        }
        Succeeded();
        BrokerEpoch = response.BrokerEpoch;
        if (State == BrokerLifecycleState.Registering) State = BrokerLifecycleState.Fenced;
        _nextSendMs = nowMs;
    }

    private void OnHeartbeat(BrokerHeartbeatResponse response, long nowMs)
    {
        var error = (ErrorCode)response.ErrorCode;
        if (error is ErrorCode.StaleBrokerEpoch or ErrorCode.BrokerIdNotRegistered)
        {
            // The controller no longer knows this registration (unregistered, or a newer one replaced it): start over.
            LastError = error;
            BrokerEpoch = -1;
            State = State == BrokerLifecycleState.ShuttingDown ? BrokerLifecycleState.ShutDown : BrokerLifecycleState.Registering;
            _nextSendMs = nowMs;
            return;
        }
        if (error != ErrorCode.None)
        {
            Backoff(nowMs, error);
            return;
        }
        Succeeded();
        if (response.ShouldShutDown) State = BrokerLifecycleState.ShutDown;
        else if (State != BrokerLifecycleState.ShuttingDown) State = response.IsFenced ? BrokerLifecycleState.Fenced : BrokerLifecycleState.Running;
        _nextSendMs = nowMs + _config.BrokerHeartbeatIntervalMs;
    }

    private void Succeeded()
    {
        LastError = ErrorCode.None;
        _failuresInRow = 0;
    }

    private void Backoff(long nowMs, ErrorCode error)
    {
        LastError = error;
        long delayMs = Math.Min(_backoffMaxMs, InitialBackoffMs << Math.Min(_failuresInRow, BackoffDoublingsMax));
        _failuresInRow = Math.Min(_failuresInRow + 1, BackoffDoublingsMax);
        _nextSendMs = nowMs + delayMs;
    }

    private BrokerRegistrationRequest Registration() => new()
    {
        BrokerId = _config.NodeId,
        ClusterId = _config.ClusterId,
        IncarnationId = IncarnationId,
        Listeners = [.. _config.AdvertisedBrokerEndpoints.Select(e => new BrokerRegistrationRequest.Listener
        {
            Name = e.ListenerName, Host = e.Host, Port = checked((ushort)e.Port), SecurityProtocol = SecurityProtocolOf(e.ListenerName),
        })],
        Features = [new BrokerRegistrationRequest.Feature
        {
            Name = MetadataVersion.FeatureName, MinSupportedVersion = MetadataVersion.MinimumKraftLevel, MaxSupportedVersion = MetadataVersion.Level,
        }],
        Rack = null,
    };

    private BrokerHeartbeatRequest Heartbeat() => new()
    {
        BrokerId = _config.NodeId,
        BrokerEpoch = BrokerEpoch,
        CurrentMetadataOffset = _metadataOffset,
        WantFence = false,
        WantShutDown = State == BrokerLifecycleState.ShuttingDown,
    };

    /// <summary>Kafka's <c>SecurityProtocol</c> ids; a listener named otherwise is taken as PLAINTEXT, the only protocol we speak.</summary>
    private static short SecurityProtocolOf(string listenerName) => listenerName switch
    {
        "SSL" => 1,
        "SASL_PLAINTEXT" => 2,
        "SASL_SSL" => 3,
        _ => 0,
    };
}
