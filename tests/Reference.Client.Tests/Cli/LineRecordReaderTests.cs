using System.Text;
using Reference.Cli.Commands;
using Reference.Cli.Parsing;

namespace Reference.Client.Tests.Cli;

public sealed class LineRecordReaderTests
{
    [Fact]
    public void ALineIsTheValueByDefault()
    {
        var record = new LineRecordReader("t", new Dictionary<string, string>()).Read("a:b\tc", 1);
        Assert.Null(record.Key);
        Assert.Equal("a:b\tc", Encoding.UTF8.GetString(record.Value!));
    }

    [Fact]
    public void ParseKeySplitsAtTheFirstSeparator()
    {
        var reader = new LineRecordReader("t", new Dictionary<string, string> { ["parse.key"] = "true", ["key.separator"] = ":" });
        var record = reader.Read("user-1:a:b", 1);
        Assert.Equal("user-1", Encoding.UTF8.GetString(record.Key!));
        Assert.Equal("a:b", Encoding.UTF8.GetString(record.Value!));
    }

    [Fact]
    public void HeadersComeFirstThenKeyThenValue()
    {
        var reader = new LineRecordReader("t", new Dictionary<string, string>
        {
            ["parse.headers"] = "true", ["parse.key"] = "true", ["null.marker"] = "NULL",
        });
        var record = reader.Read("h1:v1,h2:NULL\tk\tNULL", 1);
        Assert.Equal(["h1", "h2"], record.Headers.Select(h => h.Key));
        Assert.Null(record.Headers[1].Value);
        Assert.Equal("k", Encoding.UTF8.GetString(record.Key!));
        Assert.Null(record.Value);
    }

    [Fact]
    public void AMissingKeySeparatorNamesTheLine()
    {
        var reader = new LineRecordReader("t", new Dictionary<string, string> { ["parse.key"] = "true" });
        var error = Assert.Throws<CliUsageException>(() => reader.Read("no-tab-here", 3));
        Assert.Equal("No key separator found on line number 3: 'no-tab-here'", error.Message);
    }

    [Fact]
    public void IgnoreErrorTakesTheWholeLineAsTheValue()
    {
        var reader = new LineRecordReader("t", new Dictionary<string, string> { ["parse.key"] = "true", ["ignore.error"] = "true" });
        var record = reader.Read("no-tab-here", 1);
        Assert.Null(record.Key);
        Assert.Equal("no-tab-here", Encoding.UTF8.GetString(record.Value!));
    }
}
