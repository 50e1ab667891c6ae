using System.Text;
using Reference.Core.Node;

namespace Reference.Cli.Parsing;

/// <summary>
/// The command line's names for <see cref="ReintroducedBugs"/>: each member in kebab case
/// (<c>EmptyDiskVoter</c> is <c>empty-disk-voter</c>), the names the museum of known bugs uses too.
/// </summary>
public static class BugNames
{
    /// <summary>Every switch's name, in the enum's order.</summary>
    public static IReadOnlyList<string> All { get; } =
        Enum.GetValues<ReintroducedBugs>().Where(bug => bug != ReintroducedBugs.None).Select(Name).ToList();

    public static string Name(ReintroducedBugs bug)
    {
        string member = bug.ToString();
        var name = new StringBuilder(member.Length + 4);
        for (int i = 0; i < member.Length; i++)
        {
            if (char.IsUpper(member[i]) && i > 0) name.Append('-');
            name.Append(char.ToLowerInvariant(member[i]));
        }
        return name.ToString();
    }

    /// <summary>The switches named, combined; false with a one-line reason for a name that is none of them.</summary>
    public static bool TryParse(IEnumerable<string> names, out ReintroducedBugs bugs, out string? error)
    {
        bugs = ReintroducedBugs.None;
        foreach (string name in names)
        {
            ReintroducedBugs? found = Enum.GetValues<ReintroducedBugs>().Where(bug => bug != ReintroducedBugs.None && Name(bug) == name)
                .Select(bug => (ReintroducedBugs?)bug).FirstOrDefault();
            if (found is not ReintroducedBugs bug)
            {
                error = $"'{name}' is not a known bug; the known ones are {string.Join(", ", All)}";
                return false;
            }
            bugs |= bug;
        }
        error = null;
        return true;
    }
}
