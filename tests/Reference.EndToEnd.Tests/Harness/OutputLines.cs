namespace Reference.EndToEnd.Tests.Harness;

/// <summary>
/// The lines a child process wrote to one stream, as they arrive, keeping the last
/// <see cref="Capacity"/>. A test that parses a client's output checks <see cref="DroppedCount"/> is 0,
/// so a runaway process costs memory only up to the bound and never yields a silently partial answer.
/// </summary>
public sealed class OutputLines(int capacity)
{
    private readonly object _lock = new();
    private readonly Queue<string> _lines = new();
    private long _dropped;

    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));

    public long DroppedCount
    {
        get { lock (_lock) return _dropped; }
    }

    public int Count
    {
        get { lock (_lock) return _lines.Count; }
    }

    public void Add(string line)
    {
        lock (_lock)
        {
            if (_lines.Count == Capacity)
            {
                _lines.Dequeue();
                _dropped++;
            }
            _lines.Enqueue(line);
        }
    }

    public IReadOnlyList<string> Snapshot()
    {
        lock (_lock) return _lines.ToArray();
    }

    /// <summary>The last lines, with a note of how many came before them.</summary>
    public string Tail(int linesMax)
    {
        lock (_lock)
        {
            int skipped = Math.Max(0, _lines.Count - linesMax);
            long earlier = skipped + _dropped;
            var tail = _lines.Skip(skipped);
            return (earlier > 0 ? $"[... {earlier} earlier lines]\n" : "") + string.Join("\n", tail);
        }
    }
}
