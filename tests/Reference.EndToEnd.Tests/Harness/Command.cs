namespace Reference.EndToEnd.Tests.Harness;

/// <summary>A program and its arguments, passed as a list (no shell, so nothing needs quoting).</summary>
public sealed record Command(string Program, IReadOnlyList<string> Arguments)
{
    public string? WorkingDirectory { get; init; }

    /// <summary>The command as a shell line, to read in a transcript or paste into a terminal.</summary>
    public override string ToString() => string.Join(" ", new[] { Program }.Concat(Arguments).Select(Quote));

    private static string Quote(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=@,%+".Contains(c))
            ? word
            : "'" + word.Replace("'", "'\\''") + "'";
}
