using FsCheck;
using FsCheck.Fluent;
using Reference.Simulation.Randomness;

namespace Reference.Simulation.Tests.Faults;

public sealed class RandomStreamsTests
{
    [Fact]
    public void AStreamDependsOnlyOnTheSeedAndItsName()
    {
        var streams = new RandomStreams(42);
        ulong first = streams.Stream("network/n1->n2").NextUInt64();
        // Other streams drawn in between change nothing.
        for (int i = 0; i < 10; i++) streams.Stream($"node/{i}/1").NextUInt64();
        Assert.Equal(first, new RandomStreams(42).Stream("network/n1->n2").NextUInt64());
        Assert.NotEqual(first, new RandomStreams(43).Stream("network/n1->n2").NextUInt64());
    }

    [Fact]
    public void NodeIncarnationsGetDifferentStreams()
    {
        var streams = new RandomStreams(7);
        Assert.NotEqual(streams.ForNode(1, 1).NextUInt64(), streams.ForNode(1, 2).NextUInt64());
        Assert.NotEqual(streams.ForNode(1, 1).NextUInt64(), streams.ForNode(2, 1).NextUInt64());
        Assert.Equal(streams.ForNode(3, 2).NextUInt64(), new RandomStreams(7).ForNode(3, 2).NextUInt64());
    }

    [Fact]
    public void ProbabilitiesReadBackWhatTheyWrite()
    {
        Prop.ForAll(Gen.Choose(0, Probability.PartsPerMillion).ToArbitrary(), ppm =>
        {
            var probability = new Probability(ppm);
            return Probability.TryParse(probability.ToString(), out Probability back) && back == probability;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(500));
    }

    [Theory]
    [InlineData("0.05", 50_000)]
    [InlineData("5%", 50_000)]
    [InlineData("0.0000015", -1)]
    [InlineData("1.5", -1)]
    [InlineData("-0.1", -1)]
    [InlineData("1", 1_000_000)]
    public void ProbabilitiesAreExactOrRefused(string text, int ppm)
    {
        bool parsed = Probability.TryParse(text, out Probability probability);
        Assert.Equal(ppm >= 0, parsed);
        if (parsed) Assert.Equal(ppm, probability.Ppm);
    }

    [Fact]
    public void AProbabilityHappensAboutAsOftenAsItSays()
    {
        var random = new Core.Node.SplitMix64Random(5);
        var probability = new Probability(100_000);
        int happened = Enumerable.Range(0, 100_000).Count(_ => probability.Happens(random));
        Assert.InRange(happened, 9_000, 11_000);
    }
}
