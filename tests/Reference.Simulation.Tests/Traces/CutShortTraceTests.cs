using Reference.Simulation.Tests.Toys;
using Reference.Simulation.Traces;

namespace Reference.Simulation.Tests.Traces;

/// <summary>A trace whose writer stopped mid-line (a broker that crashed while recording) replays as far as its last whole event.</summary>
public sealed class CutShortTraceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("kraft-cut-trace-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string Trace() => SimRun.Of(new SimulationOptions { Seed = 3, DurationMs = 3_000 }, CounterNode.Correct).Trace;

    private TraceDocument ReadCut(string text)
    {
        string path = Path.Combine(_directory, "cut.trace");
        File.WriteAllText(path, text);
        return TraceReader.ReadFile(path);
    }

    [Fact]
    public void AnEventCutInsideItsEffectsIsDroppedAndEverythingBeforeItReplays()
    {
        string trace = Trace();
        int effect = trace.LastIndexOf("\n  = ", StringComparison.Ordinal);
        TraceDocument whole = TraceReader.Read(new StringReader(trace));
        TraceDocument cut = ReadCut(trace[..(effect + 7)]);
        // The last effect line belongs to the last input; that input, and anything after it, is gone.
        int owner = whole.Entries.ToList().FindLastIndex(line => line.Entry is TraceEntry.Input);
        Assert.True(owner > 0);
        Assert.Equal(whole.Entries.Take(owner).Select(line => line.LineNumber), cut.Entries.Select(line => line.LineNumber));
        Assert.Null(cut.End);
        Assert.True(new TraceReplayer(CounterNode.Correct).Replay(cut).IsIdentical);
    }

    [Fact]
    public void ACutTopLevelLineIsDroppedAndTheEventBeforeItKeepsAllItsEffects()
    {
        string trace = Trace();
        int lastTopLevel = trace.LastIndexOf("\nend ", StringComparison.Ordinal);
        TraceDocument whole = TraceReader.Read(new StringReader(trace));
        TraceDocument cut = ReadCut(trace[..(lastTopLevel + 3)]);
        Assert.Equal(whole.Entries.Count, cut.Entries.Count);
        Assert.Equal(((TraceEntry.Input)whole.Entries[^1].Entry).Effects, ((TraceEntry.Input)cut.Entries[^1].Entry).Effects);
        Assert.Null(cut.End);
    }

    [Fact]
    public void AWholeTraceIsNotCut()
    {
        string trace = Trace();
        Assert.Equal(TraceReader.Read(new StringReader(trace)).Entries.Count, ReadCut(trace).Entries.Count);
        Assert.NotNull(ReadCut(trace).End);
    }

    [Fact]
    public void AGzipCompressedTraceReadsAsItsTextAndACorruptOneIsAFormatError()
    {
        string trace = Trace();
        string path = Path.Combine(_directory, "whole.trace.gz");
        using (var gzip = new System.IO.Compression.GZipStream(File.Create(path), System.IO.Compression.CompressionLevel.SmallestSize))
            gzip.Write(System.Text.Encoding.UTF8.GetBytes(trace));
        TraceDocument compressed = TraceReader.ReadFile(path);
        TraceDocument plain = TraceReader.Read(new StringReader(trace));
        Assert.Equal(plain.Entries.Select(line => line.LineNumber), compressed.Entries.Select(line => line.LineNumber));
        Assert.True(new TraceReplayer(CounterNode.Correct).Replay(compressed).IsIdentical);

        string corrupt = Path.Combine(_directory, "corrupt.trace.gz");
        File.WriteAllText(corrupt, trace);
        Assert.Throws<TraceFormatException>(() => TraceReader.ReadFile(corrupt));
    }
}
