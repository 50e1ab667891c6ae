using Reference.Core.Metadata;

namespace Reference.Core.Controller;

/// <summary>
/// The active controller's soft state about brokers (Kafka's <c>BrokerHeartbeatManager</c>): when each last
/// heartbeated, how far it has read the metadata log, and where its controlled shutdown began. Soft state is
/// never written to the log: a new active controller starts every registered broker with a full session from
/// the moment it took over, which, as Kafka says, may delay fencing a dead broker after a failover.
/// </summary>
internal sealed class BrokerHeartbeats(long sessionTimeoutMs)
{
    private sealed class BrokerSession
    {
        public long LastContactMs;
        public long MetadataOffset = -1;
        public long ControlledShutdownOffset = -1;
    }

    private readonly SortedDictionary<int, BrokerSession> _sessions = new();

    /// <summary>On activation: every registered broker gets a session that starts now.</summary>
    public void Reset(MetadataImage image, long nowMs)
    {
        _sessions.Clear();
        foreach (int brokerId in image.Brokers.Keys) _sessions[brokerId] = new BrokerSession { LastContactMs = nowMs };
    }

    public void Clear() => _sessions.Clear();

    /// <summary>A registration or heartbeat arrived; <paramref name="metadataOffset"/> is -1 when the broker did not say.</summary>
    public void Touch(int brokerId, long nowMs, long metadataOffset)
    {
        if (!_sessions.TryGetValue(brokerId, out BrokerSession? session)) _sessions[brokerId] = session = new BrokerSession();
        session.LastContactMs = Math.Max(session.LastContactMs, nowMs);
        session.MetadataOffset = Math.Max(session.MetadataOffset, metadataOffset);
    }

    /// <summary>A new registration starts the broker's soft state afresh.</summary>
    public void Register(int brokerId, long nowMs) => _sessions[brokerId] = new BrokerSession { LastContactMs = nowMs };

    public void Remove(int brokerId) => _sessions.Remove(brokerId);

    public bool HasValidSession(int brokerId, long nowMs) =>
        _sessions.TryGetValue(brokerId, out BrokerSession? session) && nowMs < session.LastContactMs + sessionTimeoutMs;

    /// <summary>Unfenced brokers whose session ran out, in id order.</summary>
    public IReadOnlyList<int> Expired(MetadataImage image, long nowMs) =>
        image.Brokers.Values.Where(b => !b.Fenced && !HasValidSession(b.BrokerId, nowMs)).Select(b => b.BrokerId).ToArray();

    /// <summary>When the next unfenced broker's session runs out, or <see cref="long.MaxValue"/>.</summary>
    public long NextExpiryMs(MetadataImage image)
    {
        long next = long.MaxValue;
        foreach (BrokerRegistration broker in image.Brokers.Values)
        {
            if (broker.Fenced) continue;
            next = Math.Min(next, _sessions.TryGetValue(broker.BrokerId, out BrokerSession? session) ? session.LastContactMs + sessionTimeoutMs : long.MinValue);
        }
        return next;
    }

    /// <summary>The broker entered controlled shutdown in the batch ending at <paramref name="offset"/>.</summary>
    public void StartControlledShutdown(int brokerId, long offset)
    {
        if (!_sessions.TryGetValue(brokerId, out BrokerSession? session)) _sessions[brokerId] = session = new BrokerSession();
        session.ControlledShutdownOffset = offset;
    }

    /// <summary>Where the broker's controlled shutdown was written, or <paramref name="fallbackOffset"/> when this controller did not see it (a failover).</summary>
    public long ControlledShutdownOffset(int brokerId, long fallbackOffset)
    {
        if (!_sessions.TryGetValue(brokerId, out BrokerSession? session)) _sessions[brokerId] = session = new BrokerSession();
        if (session.ControlledShutdownOffset < 0) session.ControlledShutdownOffset = fallbackOffset;
        return session.ControlledShutdownOffset;
    }

    /// <summary>
    /// The lowest metadata offset any active broker (other than <paramref name="exceptBrokerId"/>) has reported; a
    /// controlled shutdown completes only once every active broker has seen the leadership moves it caused.
    /// </summary>
    public long LowestActiveOffset(MetadataImage image, int exceptBrokerId)
    {
        long lowest = long.MaxValue;
        foreach (BrokerRegistration broker in image.Brokers.Values)
        {
            if (!broker.IsActive || broker.BrokerId == exceptBrokerId) continue;
            lowest = Math.Min(lowest, _sessions.TryGetValue(broker.BrokerId, out BrokerSession? session) ? session.MetadataOffset : -1);
        }
        return lowest;
    }
}
