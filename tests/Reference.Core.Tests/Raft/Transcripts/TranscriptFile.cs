using System.Text;

namespace Reference.Core.Tests.Raft.Transcripts;

/// <summary>One command of a transcript: its line number, its text, and the output written below it.</summary>
internal sealed record TranscriptCommand(int LineNumber, string Text, string ExpectedOutput);

/// <summary>
/// A golden transcript in etcd-raft's datadriven format: a command line, a <c>----</c> line, the expected
/// output, a blank line. Lines starting with <c>#</c> and blank lines between commands are comments, kept
/// as they are when the file is rewritten. Output never holds a blank line (the driver prints <c>ok</c> for
/// a command with nothing to say), so a blank line always ends it.
/// </summary>
internal sealed class TranscriptFile
{
    private readonly List<object> _parts = [];

    public IEnumerable<TranscriptCommand> Commands => _parts.OfType<TranscriptCommand>();

    public static TranscriptFile Parse(string text)
    {
        var file = new TranscriptFile();
        string[] lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        int i = 0;
        while (i < lines.Length)
        {
            string line = lines[i];
            if (line.Length == 0 || line.StartsWith('#'))
            {
                if (!(i == lines.Length - 1 && line.Length == 0)) file._parts.Add(line);
                i++;
                continue;
            }
            int commandLine = i + 1;
            if (i + 1 >= lines.Length || lines[i + 1] != "----")
                throw new FormatException($"line {commandLine}: a command must be followed by a '----' line");
            i += 2;
            var output = new StringBuilder();
            while (i < lines.Length && lines[i].Length > 0)
            {
                output.Append(lines[i]).Append('\n');
                i++;
            }
            file._parts.Add(new TranscriptCommand(commandLine, line, output.ToString()));
        }
        return file;
    }

    /// <summary>The file again with each command's output replaced by <paramref name="outputs"/> (in command order).</summary>
    public string Rewrite(IReadOnlyList<string> outputs)
    {
        var text = new StringBuilder();
        int next = 0;
        for (int i = 0; i < _parts.Count; i++)
        {
            if (_parts[i] is string comment)
            {
                text.Append(comment).Append('\n');
                continue;
            }
            var command = (TranscriptCommand)_parts[i];
            // The blank line that ends the output was read as a comment part, so it comes back from there.
            text.Append(command.Text).Append('\n').Append("----\n").Append(outputs[next++]);
        }
        return text.ToString();
    }
}
