using System.Text;
using Reference.Simulation.Randomness;

namespace Reference.Simulation.Traces;

/// <summary>
/// A text writer that keeps only a 64-bit FNV-1a digest of what is written: a run's trace without its
/// bytes. Running a seed twice and comparing digests checks the run is deterministic (FoundationDB runs
/// seeds twice for the same reason: a nondeterministic simulator cannot reproduce what it finds).
/// </summary>
public sealed class TraceDigest : TextWriter
{
    private ulong _digest = StableHash.Start;

    public override Encoding Encoding => Encoding.UTF8;

    public ulong Digest => _digest;

    public override void Write(char value)
    {
        _digest = (_digest ^ (byte)value) * 0x100000001B3UL;
        _digest = (_digest ^ (byte)(value >> 8)) * 0x100000001B3UL;
    }

    public override void Write(string? value)
    {
        if (value is null) return;
        foreach (char c in value) Write(c);
    }
}
