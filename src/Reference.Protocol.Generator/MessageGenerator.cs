namespace Reference.Protocol.Generator;

/// <summary>Reads every definition file and returns the generated files by name, ready to compare or write.</summary>
public static class MessageGenerator
{
    public const string DefinitionsFolder = "src/Reference.Protocol/Messages/Definitions";
    public const string GeneratedFolder = "src/Reference.Protocol/Messages/Generated";

    public static SortedDictionary<string, string> GenerateAll(string definitionsDirectory)
    {
        var messages = new List<MessageSpec>();
        foreach (string path in Directory.GetFiles(definitionsDirectory, "*.kmsg").Order(StringComparer.Ordinal))
            messages.AddRange(SchemaParser.Parse(File.ReadAllText(path), Path.GetFileName(path)));
        var duplicate = messages.GroupBy(m => m.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new FormatException($"{duplicate.Key} is defined twice");

        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (MessageSpec message in messages) files[$"{message.Name}.g.cs"] = CSharpEmitter.Emit(message);
        files["ApiMessages.g.cs"] = RegistryEmitter.EmitApiMessages(messages);
        files["MetadataRecords.g.cs"] = RegistryEmitter.EmitMetadataRecords(messages);
        return files;
    }

    /// <summary>The repository root: the nearest folder upwards that holds Reference.sln.</summary>
    public static string FindRepositoryRoot(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Reference.sln"))) return directory.FullName;
        throw new DirectoryNotFoundException($"no Reference.sln above {start}");
    }
}
