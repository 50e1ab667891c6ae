using Reference.Protocol.Generator;

namespace Reference.Protocol.Tests.Messages;

/// <summary>The checked-in generated classes are exactly what the definitions produce today.</summary>
public sealed class GeneratedCodeTests
{
    [Fact]
    public void GeneratedMessagesMatchTheirDefinitions()
    {
        string root = MessageGenerator.FindRepositoryRoot(AppContext.BaseDirectory);
        SortedDictionary<string, string> expected = MessageGenerator.GenerateAll(Path.Combine(root, MessageGenerator.DefinitionsFolder));
        string generated = Path.Combine(root, MessageGenerator.GeneratedFolder);
        var onDisk = Directory.GetFiles(generated, "*.g.cs").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected.Keys.ToList(), onDisk);
        foreach (var (name, text) in expected)
            Assert.True(text == File.ReadAllText(Path.Combine(generated, name)),
                $"{name} is stale: run `dotnet run --project src/Reference.Protocol.Generator`");
    }

    [Fact]
    public void DefinitionErrorsNameTheFileAndLine()
    {
        var error = Assert.Throws<FormatException>(() =>
            SchemaParser.Parse("request FooRequest key 99 versions 0-1 flexible none\n  Bar int32 versoins 1+\n", "Foo.kmsg"));
        Assert.StartsWith("Foo.kmsg:2:", error.Message);
    }
}
