using System.Diagnostics;

namespace Reference.Broker.Hosting;

/// <summary>
/// The shell's clock for the node: milliseconds since the broker started, from the monotonic
/// high-resolution timer, so a wall-clock jump (NTP, a manual change) never moves a Raft timeout.
/// </summary>
public sealed class MonotonicClock
{
    private readonly long _startTimestamp = Stopwatch.GetTimestamp();

    public long NowMs => (long)Stopwatch.GetElapsedTime(_startTimestamp).TotalMilliseconds;
}
