using System.Text;

namespace Reference.Core.Node;

/// <summary>
/// The one mapping between <see cref="ReintroducedBugs"/> members and the names the command line and the
/// trace header use: each member's name in kebab case (<c>VoteWithoutLogComparison</c> is
/// <c>vote-without-log-comparison</c>), a set written comma-separated, <c>none</c> for none. `kraft sim
/// --bug`, `kraft explore --bug` and the trace's <c>bugs</c> line all read and write through here.
/// </summary>
public static class ReintroducedBugNames
{
    /// <summary>Every single switch with its name, in declaration order.</summary>
    public static IReadOnlyList<(ReintroducedBugs Bug, string Name)> All { get; } = Enum.GetValues<ReintroducedBugs>()
        .Where(bug => bug != ReintroducedBugs.None)
        .Select(bug => (bug, KebabCase(bug.ToString())))
        .ToList();

    /// <summary>The names of the switches that are on, comma-separated; <c>none</c> when none is.</summary>
    public static string Format(ReintroducedBugs bugs)
    {
        List<string> on = All.Where(entry => bugs.HasFlag(entry.Bug)).Select(entry => entry.Name).ToList();
        return on.Count == 0 ? "none" : string.Join(",", on);
    }

    /// <summary>
    /// Reads a comma-separated list of names (or <c>none</c>). An unknown name fails with a one-line error
    /// that lists every name there is.
    /// </summary>
    public static bool TryParse(string text, out ReintroducedBugs bugs, out string? error)
    {
        bugs = ReintroducedBugs.None;
        error = null;
        foreach (string name in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (name == "none") continue;
            (ReintroducedBugs Bug, string Name) match = All.FirstOrDefault(entry => entry.Name == name);
            if (match.Name is null)
            {
                error = $"unknown bug '{name}'; the bugs are: {string.Join(", ", All.Select(entry => entry.Name))}";
                bugs = ReintroducedBugs.None;
                return false;
            }
            bugs |= match.Bug;
        }
        return true;
    }

    /// <summary>A PascalCase name in kebab case: VoteBeforePersist is vote-before-persist.</summary>
    public static string KebabCase(string pascal)
    {
        var text = new StringBuilder(pascal.Length + 8);
        for (int i = 0; i < pascal.Length; i++)
        {
            if (char.IsUpper(pascal[i]) && i > 0) text.Append('-');
            text.Append(char.ToLowerInvariant(pascal[i]));
        }
        return text.ToString();
    }
}
