namespace Reference.Simulation.Traces;

/// <summary>
/// Writes a trace: text, one event a line, "\n" line ends whatever the platform, so the same seed on the
/// same build writes the same bytes anywhere.
/// </summary>
public sealed class TraceWriter(TextWriter output)
{
    public long EntriesWritten { get; private set; }

    public void WriteHeader(TraceHeader header)
    {
        foreach (string line in header.FormatLines()) WriteLine(line);
    }

    public void Write(TraceEntry entry)
    {
        EntriesWritten++;
        foreach (string line in entry.FormatLines()) WriteLine(line);
    }

    public void WriteEnd(TraceEnd end)
    {
        foreach (string line in end.FormatLines()) WriteLine(line);
        output.Flush();
    }

    private void WriteLine(string line)
    {
        output.Write(line);
        output.Write('\n');
    }
}

/// <summary>A trace read back: its header, its events with the line each starts on, and its end (null when the trace was cut short).</summary>
public sealed record TraceDocument(TraceHeader Header, IReadOnlyList<TraceDocument.Line> Entries, TraceEnd? End)
{
    public sealed record Line(int LineNumber, TraceEntry Entry);
}

/// <summary>Reads what <see cref="TraceWriter"/> wrote; throws <see cref="TraceFormatException"/> naming the line that does not read.</summary>
public static class TraceReader
{
    public static TraceDocument Read(TextReader input) => Read(input, cutShort: false);

    /// <param name="cutShort">
    /// The text ends without its last line end: a recording that stopped mid-write (a broker that crashed).
    /// Its unfinished last line is dropped, and with it the event it belonged to when it was one of that
    /// event's effect lines (the event may have had more); what comes before replays.
    /// </param>
    public static TraceDocument Read(TextReader input, bool cutShort)
    {
        var headerLines = new List<string>();
        int lineNumber = 0;
        string? text;
        while ((text = input.ReadLine()) is not null)
        {
            lineNumber++;
            if (text == "begin") break;
            headerLines.Add(text);
        }
        if (text is null) throw new TraceFormatException("the trace has no 'begin' line");
        TraceHeader header = TraceHeader.Parse(headerLines);
        var entries = new List<TraceDocument.Line>();
        TraceEntry.Input? open = null;
        int openLine = 0;
        var effects = new List<string>();
        string? endLine = null;
        TraceEnd? end = null;
        void Close()
        {
            if (open is null) return;
            entries.Add(new TraceDocument.Line(openLine, open with { Effects = effects.ToList() }));
            open = null;
            effects.Clear();
        }
        string? next = input.ReadLine();
        string? unfinished = null;
        while ((text = next) is not null)
        {
            next = input.ReadLine();
            if (next is null && cutShort)
            {
                unfinished = text;
                break;
            }
            lineNumber++;
            try
            {
                if (text.StartsWith(TraceEntry.EffectPrefix, StringComparison.Ordinal))
                {
                    if (open is null) throw new TraceFormatException("an effect line with no input above it");
                    effects.Add(text[TraceEntry.EffectPrefix.Length..]);
                    continue;
                }
                Close();
                if (text.StartsWith("end ", StringComparison.Ordinal))
                {
                    endLine = text;
                    continue;
                }
                if (text.StartsWith("outcome ", StringComparison.Ordinal))
                {
                    end = TraceEnd.Parse(endLine ?? throw new TraceFormatException("an outcome line with no end line above it"), text);
                    continue;
                }
                TraceEntry entry = TraceEntry.Parse(text);
                if (entry is TraceEntry.Input input1)
                {
                    open = input1;
                    openLine = lineNumber;
                }
                else entries.Add(new TraceDocument.Line(lineNumber, entry));
            }
            catch (Exception error) when (error is FormatException or OverflowException or TraceFormatException)
            {
                throw new TraceFormatException($"line {lineNumber}: {error.Message}");
            }
        }
        if (unfinished is not null && unfinished.StartsWith(' ')) open = null;
        else Close();
        return new TraceDocument(header, entries, end);
    }

    /// <summary>
    /// Reads a trace file; one whose last line is unfinished is read as far as its last whole event. A name
    /// ending in <c>.gz</c> is read through gzip (a long data-plane trace kept in traces/ is some 4 MB of text).
    /// </summary>
    public static TraceDocument ReadFile(string path)
    {
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) return ReadCompressedFile(path);
        bool cutShort;
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            if (file.Length > 0) file.Seek(-1, SeekOrigin.End);
            cutShort = file.Length > 0 && file.ReadByte() != '\n';
        }
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        return Read(reader, cutShort);
    }

    private static TraceDocument ReadCompressedFile(string path)
    {
        string text;
        try
        {
            using var gzip = new System.IO.Compression.GZipStream(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite),
                System.IO.Compression.CompressionMode.Decompress);
            using var decompressed = new StreamReader(gzip);
            text = decompressed.ReadToEnd();
        }
        catch (InvalidDataException error)
        {
            throw new TraceFormatException($"{path} is not a gzip-compressed trace ({error.Message})");
        }
        return Read(new StringReader(text), cutShort: text.Length > 0 && text[^1] != '\n');
    }
}
