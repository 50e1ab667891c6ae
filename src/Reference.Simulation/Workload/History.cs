namespace Reference.Simulation.Workload;

/// <summary>Jepsen's operation outcomes: an invocation, then exactly one of ok, fail or info.</summary>
public enum HistoryKind
{
    /// <summary>A client started the operation.</summary>
    Invoke,
    /// <summary>It took effect, and the client knows it.</summary>
    Ok,
    /// <summary>It did not take effect, and the client knows it (a definite error).</summary>
    Fail,
    /// <summary>The client cannot know (a timeout, a lost connection): it may or may not have taken effect.</summary>
    Info,
}

/// <summary>
/// One line of a client history: which client (Jepsen's process), which operation (pairing an invocation
/// with its completion), what it was and the value it carried or got back. Text, so any workload can
/// record its own operations and a checker can read them back from a trace.
/// </summary>
public sealed record HistoryEntry(long TimeMs, int ClientId, long OperationId, HistoryKind Kind, string Operation, string Value);

/// <summary>
/// The clients' history of a run, in the order things happened: what a linearizability-style checker
/// reads. Append-only and bounded.
/// </summary>
public sealed class History
{
    /// <summary>Entries at most; a workload that logs more is mistaking the history for a debug log.</summary>
    public const int EntriesMax = 10_000_000;

    private readonly List<HistoryEntry> _entries = [];

    public IReadOnlyList<HistoryEntry> Entries => _entries;

    public int Count => _entries.Count;

    internal void Append(HistoryEntry entry)
    {
        if (_entries.Count >= EntriesMax) throw new InvalidOperationException($"more than {EntriesMax} history entries");
        if (_entries.Count > 0 && entry.TimeMs < _entries[^1].TimeMs)
            throw new InvalidOperationException($"history entry at {entry.TimeMs} ms after one at {_entries[^1].TimeMs} ms");
        _entries.Add(entry);
    }

    /// <summary>The operations invoked and not yet completed, in invocation order.</summary>
    public IReadOnlyList<HistoryEntry> Open()
    {
        var open = new SortedDictionary<long, HistoryEntry>();
        foreach (HistoryEntry entry in _entries)
        {
            if (entry.Kind == HistoryKind.Invoke) open[entry.OperationId] = entry;
            else open.Remove(entry.OperationId);
        }
        return open.Values.ToList();
    }
}
