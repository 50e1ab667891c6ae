using Reference.Broker.Config;

namespace Reference.Broker.Tests.Config;

public sealed class JavaPropertiesTests
{
    private static Dictionary<string, string> Parse(string text) => JavaProperties.Parse(text).ToDictionary(e => e.Key, e => e.Value);

    [Fact]
    public void CommentsAndBlankLinesAreSkipped()
    {
        var values = Parse("# a comment\n! another\n\n   \nkey=value\n");
        Assert.Equal(new Dictionary<string, string> { ["key"] = "value" }, values);
    }

    [Theory]
    [InlineData("key=value")]
    [InlineData("key = value")]
    [InlineData("key: value")]
    [InlineData("key value")]
    [InlineData("   key\t=\tvalue")]
    public void EverySeparatorJavaAcceptsSplitsKeyFromValue(string line) => Assert.Equal("value", Parse(line)["key"]);

    [Fact]
    public void TrailingBackslashContinuesTheLineAndDropsTheNextLinesLeadingBlanks()
    {
        var values = Parse("listeners=PLAINTEXT://:9092,\\\n    CONTROLLER://:9093\nnext=1");
        Assert.Equal("PLAINTEXT://:9092,CONTROLLER://:9093", values["listeners"]);
        Assert.Equal("1", values["next"]);
    }

    [Fact]
    public void AnEvenNumberOfBackslashesIsALiteralBackslashNotAContinuation()
    {
        var values = Parse("path=C:\\\\dir\\\\\nnext=1");
        Assert.Equal("C:\\dir\\", values["path"]);
        Assert.Equal("1", values["next"]);
    }

    [Fact]
    public void ACommentLineEndingInABackslashDoesNotContinue()
    {
        var values = Parse("# comment \\\nkey=value");
        Assert.Equal("value", values["key"]);
    }

    [Fact]
    public void EscapesAreDecodedInKeysAndValues()
    {
        var values = Parse("a\\=b=tab\\there\\u0041\\:\\q");
        Assert.Equal("tab\there" + "A:q", values["a=b"]);
    }

    [Fact]
    public void ARepeatedKeyKeepsItsLastValueAndItsFirstPlace()
    {
        IReadOnlyList<PropertyEntry> entries = JavaProperties.Parse("a=1\nb=2\na=3");
        Assert.Equal(["a", "b"], entries.Select(e => e.Key));
        Assert.Equal("3", entries[0].Value);
        Assert.Equal(3, entries[0].LineNumber);
    }

    [Fact]
    public void LineNumbersPointAtTheFirstLineOfAContinuedEntry()
    {
        IReadOnlyList<PropertyEntry> entries = JavaProperties.Parse("# c\n\nlong=a\\\nb\nshort=c\n");
        Assert.Equal(3, entries.Single(e => e.Key == "long").LineNumber);
        Assert.Equal(5, entries.Single(e => e.Key == "short").LineNumber);
    }

    [Fact]
    public void WrittenPropertiesReadBackTheSame()
    {
        var original = new Dictionary<string, string> { ["odd key=:"] = " leading blank, #hash\ttab\nnewline é" };
        string text = JavaProperties.Write(original, ["comment"]);
        Assert.StartsWith("#comment\n", text);
        Assert.Equal(original, Parse(text));
    }
}
