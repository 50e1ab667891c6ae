using System.Globalization;
using System.Text;

namespace Reference.Simulation.Traces;

/// <summary>
/// One trace line as tokens separated by single spaces: bare words, key=value pairs, and quoted text
/// ("..." with \" \\ \n escapes) wherever a value may hold spaces. Writing and reading live side by side
/// so what one writes the other reads.
/// </summary>
public sealed class TraceLine
{
    private readonly List<string> _words = [];
    private readonly SortedDictionary<string, string> _values = new(StringComparer.Ordinal);

    /// <summary>The bare words in order (time, subject, verb, ...).</summary>
    public IReadOnlyList<string> Words => _words;

    public string Word(int index) => index < _words.Count ? _words[index] : throw new TraceFormatException($"expected at least {index + 1} words");

    public bool Has(string key) => _values.ContainsKey(key);

    public string Value(string key) => _values.TryGetValue(key, out string? value) ? value : throw new TraceFormatException($"missing {key}=");

    public string? OptionalValue(string key) => _values.GetValueOrDefault(key);

    public long Long(string key) => long.TryParse(Value(key), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value)
        ? value : throw new TraceFormatException($"{key}={Value(key)} is not an integer");

    public int Int(string key) => checked((int)Long(key));

    public byte[] Hex(string key)
    {
        try
        {
            return Convert.FromHexString(Value(key));
        }
        catch (FormatException)
        {
            throw new TraceFormatException($"{key}= is not hex");
        }
    }

    public static TraceLine Parse(string text)
    {
        var line = new TraceLine();
        int position = 0;
        while (position < text.Length)
        {
            if (text[position] == ' ')
            {
                position++;
                continue;
            }
            if (text[position] == '"')
            {
                line._words.Add(ReadQuoted(text, ref position));
                continue;
            }
            int start = position;
            while (position < text.Length && text[position] != ' ' && text[position] != '=') position++;
            if (position == text.Length || text[position] == ' ')
            {
                line._words.Add(text[start..position]);
                continue;
            }
            string key = text[start..position++];
            if (position < text.Length && text[position] == '"')
            {
                line._values[key] = ReadQuoted(text, ref position);
                continue;
            }
            int valueStart = position;
            while (position < text.Length && text[position] != ' ') position++;
            line._values[key] = text[valueStart..position];
        }
        return line;
    }

    private static string ReadQuoted(string text, ref int position)
    {
        var builder = new StringBuilder();
        position++;
        while (position < text.Length && text[position] != '"')
        {
            char c = text[position++];
            if (c != '\\') builder.Append(c);
            else if (position < text.Length)
            {
                char escaped = text[position++];
                builder.Append(escaped == 'n' ? '\n' : escaped);
            }
        }
        if (position >= text.Length) throw new TraceFormatException("unterminated quoted text");
        position++;
        return builder.ToString();
    }

    /// <summary>Text as one token: bare when it is a plain word, quoted otherwise.</summary>
    public static string Quote(string text)
    {
        if (text.Length > 0 && text.All(c => c > ' ' && c != '"' && c != '\\' && c != '=' && c < 127)) return text;
        var builder = new StringBuilder("\"");
        foreach (char c in text)
        {
            if (c is '"' or '\\') builder.Append('\\').Append(c);
            else if (c == '\n') builder.Append("\\n");
            else if (c == '\r') continue;
            else builder.Append(c);
        }
        return builder.Append('"').ToString();
    }
}

/// <summary>A trace file does not read as this build writes traces.</summary>
public sealed class TraceFormatException(string message) : Exception(message);
