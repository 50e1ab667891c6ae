using System.Globalization;

namespace Reference.Broker.Hosting;

/// <summary>
/// Log lines in Kafka's shape, one per event, to one writer (stdout by default):
/// <c>[2026-11-22 01:30:00,123] INFO [EventLoop id=1] started</c>. Safe to call from any thread; each line
/// is written and flushed whole, so lines from the network and the event loop never interleave.
/// </summary>
public sealed class BrokerLog(TextWriter output, int nodeId)
{
    private readonly object _lock = new();

    public void Info(string component, string message) => Write("INFO", component, message);

    public void Warn(string component, string message) => Write("WARN", component, message);

    public void Error(string component, string message) => Write("ERROR", component, message);

    private void Write(string level, string component, string message)
    {
        string time = DateTime.Now.ToString("yyyy-MM-dd HH:mm:ss,fff", CultureInfo.InvariantCulture);
        string line = $"[{time}] {level} [{component} id={nodeId}] {message}";
        lock (_lock)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }
}
