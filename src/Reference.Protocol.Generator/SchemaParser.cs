namespace Reference.Protocol.Generator;

/// <summary>
/// Parses our message definition language (.kmsg). One line per message, field or struct; nesting by
/// two-space indentation; '#' starts a comment, and the comment lines right above a message become its
/// summary. See Messages/Definitions/README.md for the grammar.
/// </summary>
public static class SchemaParser
{
    private const int IndentWidth = 2;

    public static List<MessageSpec> Parse(string text, string sourceFile)
    {
        var lines = Tokenize(text, sourceFile);
        var messages = new List<MessageSpec>();
        int index = 0;
        while (index < lines.Count)
        {
            Line header = lines[index++];
            if (header.Depth != 0) throw header.Error("expected a message or struct declaration at column 0");
            List<FieldSpec> fields = ParseFields(lines, ref index, depth: 1);
            if (header.Words[0] == "struct")
            {
                if (messages.Count == 0) throw header.Error("a common struct must follow the message it belongs to");
                if (header.Words.Count != 2) throw header.Error("expected: struct NAME");
                MessageSpec owner = messages[^1];
                messages[^1] = owner with { CommonStructs = [.. owner.CommonStructs, new StructSpec(header.Words[1], fields)] };
                continue;
            }
            messages.Add(ParseMessageHeader(header, fields, sourceFile));
        }
        return messages;
    }

    private static MessageSpec ParseMessageHeader(Line header, List<FieldSpec> fields, string sourceFile)
    {
        MessageKind kind = header.Words[0] switch
        {
            "request" => MessageKind.Request,
            "response" => MessageKind.Response,
            "header" => MessageKind.Header,
            "data" => MessageKind.Data,
            "metadata" => MessageKind.Metadata,
            _ => throw header.Error($"unknown declaration '{header.Words[0]}'"),
        };
        if (header.Words.Count < 2) throw header.Error("a message needs a name");
        var attributes = ParseAttributes(header, header.Words.Skip(2).ToList(), ["key", "versions", "flexible"]);
        short? apiKey = attributes.TryGetValue("key", out string? key) ? short.Parse(key) : null;
        if (kind is MessageKind.Request or MessageKind.Response or MessageKind.Metadata && apiKey is null)
            throw header.Error($"a {header.Words[0]} needs 'key N'");
        if (!attributes.TryGetValue("versions", out string? versions)) throw header.Error("a message needs 'versions R'");
        if (!attributes.TryGetValue("flexible", out string? flexible)) throw header.Error("a message needs 'flexible R'");
        return new MessageSpec(kind, header.Words[1], apiKey, Versions.Parse(versions), Versions.Parse(flexible),
            fields, [], sourceFile, header.Summary);
    }

    private static List<FieldSpec> ParseFields(List<Line> lines, ref int index, int depth)
    {
        var fields = new List<FieldSpec>();
        while (index < lines.Count && lines[index].Depth >= depth)
        {
            Line line = lines[index++];
            if (line.Depth != depth) throw line.Error($"indentation: expected depth {depth}");
            List<FieldSpec> children = ParseFields(lines, ref index, depth + 1);
            fields.Add(ParseField(line, children));
        }
        return fields;
    }

    private static FieldSpec ParseField(Line line, List<FieldSpec> children)
    {
        if (line.Words.Count < 2) throw line.Error("expected: NAME TYPE [attributes]");
        var type = new FieldType(line.Words[1]);
        var attributes = ParseAttributes(line, line.Words.Skip(2).ToList(),
            ["versions", "nullable", "tag", "tagged", "default", "flexible"]);
        Versions Range(string name, Versions fallback) =>
            attributes.TryGetValue(name, out string? value) ? Versions.Parse(value) : fallback;
        int? tag = attributes.TryGetValue("tag", out string? tagText) ? int.Parse(tagText) : null;
        Versions tagged = Range("tagged", Versions.None);
        if (tag is null != tagged.IsEmpty) throw line.Error("'tag N' and 'tagged R' go together");
        if (attributes.TryGetValue("flexible", out string? flexibleText) && flexibleText != "none")
            throw line.Error("a field can only say 'flexible none'");
        bool hasStructType = type.IsStruct || type.IsStructArray;
        if (children.Count > 0 && !hasStructType) throw line.Error($"a {type.Name} field cannot have nested fields");
        return new FieldSpec(line.Words[0], type, Range("versions", Versions.All), Range("nullable", Versions.None),
            tag, tagged, attributes.GetValueOrDefault("default"), flexibleText == "none", children, line.Number, line.Summary);
    }

    private static Dictionary<string, string> ParseAttributes(Line line, List<string> words, string[] allowed)
    {
        if (words.Count % 2 != 0) throw line.Error("attributes come in pairs: NAME VALUE");
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < words.Count; i += 2)
        {
            if (!allowed.Contains(words[i])) throw line.Error($"unknown attribute '{words[i]}' (allowed: {string.Join(", ", allowed)})");
            if (!attributes.TryAdd(words[i], words[i + 1])) throw line.Error($"'{words[i]}' given twice");
        }
        return attributes;
    }

    private sealed record Line(int Number, int Depth, List<string> Words, string? Summary, string File)
    {
        public FormatException Error(string message) => new($"{File}:{Number}: {message}");
    }

    private static List<Line> Tokenize(string text, string file)
    {
        var lines = new List<Line>();
        var comment = new List<string>();
        string[] raw = text.Split('\n');
        for (int i = 0; i < raw.Length; i++)
        {
            string line = raw[i].TrimEnd('\r', ' ', '\t');
            string trimmed = line.TrimStart(' ');
            if (trimmed.Length == 0) { comment.Clear(); continue; }
            if (trimmed.StartsWith('#')) { comment.Add(trimmed.TrimStart('#').Trim()); continue; }
            int indent = line.Length - trimmed.Length;
            if (indent % IndentWidth != 0 || line.Contains('\t'))
                throw new FormatException($"{file}:{i + 1}: indent with multiples of {IndentWidth} spaces");
            int hash = trimmed.IndexOf('#');
            if (hash >= 0) trimmed = trimmed[..hash].TrimEnd();
            string? summary = comment.Count > 0 ? string.Join(" ", comment) : null;
            comment.Clear();
            lines.Add(new Line(i + 1, indent / IndentWidth, [.. trimmed.Split(' ', StringSplitOptions.RemoveEmptyEntries)], summary, file));
        }
        return lines;
    }
}
