using System.Globalization;
using System.Text;

namespace Reference.Broker.Config;

/// <summary>One <c>key=value</c> of a properties file, with the line it starts on (for error messages).</summary>
public readonly record struct PropertyEntry(string Key, string Value, int LineNumber);

/// <summary>
/// Reads and writes the Java <c>.properties</c> format that server.properties and meta.properties use
/// (java.util.Properties#load): <c>#</c> and <c>!</c> comment lines, <c>key=value</c>, <c>key: value</c> and
/// <c>key value</c>, backslash escapes (<c>\t \n \r \f \uXXXX</c>, and <c>\x</c> for any other x), and lines
/// continued by an odd number of trailing backslashes. A key given twice keeps its last value, as in Java.
/// </summary>
public static class JavaProperties
{
    /// <summary>The entries in file order; an entry whose key repeats an earlier one replaces it in place.</summary>
    public static IReadOnlyList<PropertyEntry> Parse(string text)
    {
        var entries = new List<PropertyEntry>();
        var indexByKey = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach ((string logicalLine, int lineNumber) in LogicalLines(text))
        {
            (string key, string value) = SplitKeyValue(logicalLine);
            var entry = new PropertyEntry(key, value, lineNumber);
            if (indexByKey.TryGetValue(key, out int index)) entries[index] = entry;
            else
            {
                indexByKey[key] = entries.Count;
                entries.Add(entry);
            }
        }
        return entries;
    }

    /// <summary>
    /// Writes entries as Java's Properties#store does: the comment lines first, then <c>key=value</c> lines
    /// with the characters that would read back differently escaped.
    /// </summary>
    public static string Write(IEnumerable<KeyValuePair<string, string>> entries, IEnumerable<string> commentLines)
    {
        var text = new StringBuilder();
        foreach (string comment in commentLines) text.Append('#').Append(comment).Append('\n');
        foreach ((string key, string value) in entries)
            text.Append(Escape(key, isKey: true)).Append('=').Append(Escape(value, isKey: false)).Append('\n');
        return text.ToString();
    }

    /// <summary>
    /// Joins continued natural lines and drops blank and comment lines. A comment line never continues,
    /// even when it ends in a backslash (Java's LineReader).
    /// </summary>
    private static IEnumerable<(string Line, int LineNumber)> LogicalLines(string text)
    {
        string[] naturalLines = text.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');
        var logical = new StringBuilder();
        int startLineNumber = 0;
        for (int i = 0; i < naturalLines.Length; i++)
        {
            string line = naturalLines[i];
            bool continuing = logical.Length > 0 || startLineNumber != 0;
            string trimmedStart = line.TrimStart(' ', '\t', '\f');
            if (!continuing)
            {
                if (trimmedStart.Length == 0 || trimmedStart[0] is '#' or '!') continue;
                startLineNumber = i + 1;
            }
            bool continues = EndsWithOddBackslashes(trimmedStart);
            logical.Append(continues ? trimmedStart[..^1] : trimmedStart);
            if (continues && i + 1 < naturalLines.Length) continue;
            yield return (logical.ToString(), startLineNumber);
            logical.Clear();
            startLineNumber = 0;
        }
    }

    private static bool EndsWithOddBackslashes(string line)
    {
        int count = 0;
        for (int i = line.Length - 1; i >= 0 && line[i] == '\\'; i--) count++;
        return count % 2 == 1;
    }

    private static (string Key, string Value) SplitKeyValue(string line)
    {
        int position = 0;
        var key = new StringBuilder();
        while (position < line.Length)
        {
            char c = line[position];
            if (c is '=' or ':' or ' ' or '\t' or '\f') break;
            position = c == '\\' ? Unescape(line, position, key) : position + 1;
            if (c != '\\') key.Append(c);
        }
        while (position < line.Length && line[position] is ' ' or '\t' or '\f') position++;
        if (position < line.Length && line[position] is '=' or ':') position++;
        while (position < line.Length && line[position] is ' ' or '\t' or '\f') position++;
        var value = new StringBuilder();
        while (position < line.Length)
        {
            char c = line[position];
            position = c == '\\' ? Unescape(line, position, value) : position + 1;
            if (c != '\\') value.Append(c);
        }
        return (key.ToString(), value.ToString());
    }

    /// <summary>Appends the character the escape at <paramref name="position"/> stands for; returns the position after it.</summary>
    private static int Unescape(string line, int position, StringBuilder into)
    {
        if (position + 1 >= line.Length) return position + 1; // a lone trailing backslash stands for nothing
        char escaped = line[position + 1];
        switch (escaped)
        {
            case 't': into.Append('\t'); return position + 2;
            case 'n': into.Append('\n'); return position + 2;
            case 'r': into.Append('\r'); return position + 2;
            case 'f': into.Append('\f'); return position + 2;
            case 'u':
                if (position + 6 <= line.Length
                    && int.TryParse(line.AsSpan(position + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code))
                {
                    into.Append((char)code);
                    return position + 6;
                }
                throw new FormatException($"malformed \\uXXXX escape in '{line}'");
            default: into.Append(escaped); return position + 2;
        }
    }

    private static string Escape(string text, bool isKey)
    {
        var escaped = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            switch (c)
            {
                case '\\': escaped.Append(@"\\"); break;
                case '\t': escaped.Append(@"\t"); break;
                case '\n': escaped.Append(@"\n"); break;
                case '\r': escaped.Append(@"\r"); break;
                case '\f': escaped.Append(@"\f"); break;
                case '=' or ':' or '#' or '!': escaped.Append('\\').Append(c); break;
                case ' ' when isKey || i == 0: escaped.Append(@"\ "); break;
                default:
                    if (c < 0x20 || c > 0x7e) escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
                    else escaped.Append(c);
                    break;
            }
        }
        return escaped.ToString();
    }
}
