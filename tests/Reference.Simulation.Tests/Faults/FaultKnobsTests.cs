using FsCheck;
using FsCheck.Fluent;
using Reference.Simulation.Faults;
using Reference.Simulation.Randomness;

namespace Reference.Simulation.Tests.Faults;

public sealed class FaultKnobsTests
{
    [Fact]
    public void ASeedAlwaysDrawsTheSameMix()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<ulong>(), Gen.Elements(Enum.GetValues<FaultProfile>()).ToArbitrary(), (seed, profile) =>
        {
            string first = FaultKnobs.Draw(FaultSpec.Of(profile), new RandomStreams(seed)).ToString();
            string second = FaultKnobs.Draw(FaultSpec.Of(profile), new RandomStreams(seed)).ToString();
            return first == second;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(200));
    }

    [Fact]
    public void SeedsDrawDifferentMixes()
    {
        var mixes = Enumerable.Range(1, 50)
            .Select(seed => FaultKnobs.Draw(FaultSpec.Of(FaultProfile.All), new RandomStreams((ulong)seed)).ToString())
            .Distinct().Count();
        Assert.Equal(50, mixes);
        // Swarm testing: some seeds run with a fault, some without it.
        var lossOn = Enumerable.Range(1, 50).Count(seed => FaultKnobs.Draw(FaultSpec.Of(FaultProfile.Network), new RandomStreams((ulong)seed)).Loss.Ppm > 0);
        Assert.InRange(lossOn, 10, 40);
    }

    [Fact]
    public void FixingOneKnobLeavesTheOthersDrawsAlone()
    {
        for (ulong seed = 1; seed <= 20; seed++)
        {
            FaultKnobs drawn = FaultKnobs.Draw(FaultSpec.Of(FaultProfile.All), new RandomStreams(seed));
            FaultKnobs withLoss = FaultKnobs.Draw(FaultSpec.Of(FaultProfile.All).With(FaultKnob.Loss, 12_345), new RandomStreams(seed));
            Assert.Equal(12_345, withLoss.Loss.Ppm);
            foreach (FaultKnob knob in FaultKnob.All.Where(k => k.Name != FaultKnob.Loss))
                Assert.Equal(drawn[knob.Name], withLoss[knob.Name]);
        }
    }

    [Fact]
    public void AProfileDrawsOnlyItsOwnCategories()
    {
        for (ulong seed = 1; seed <= 20; seed++)
        {
            FaultKnobs none = FaultKnobs.Draw(FaultSpec.None, new RandomStreams(seed));
            Assert.Empty(none.Active);
            FaultKnobs network = FaultKnobs.Draw(FaultSpec.Of(FaultProfile.Network), new RandomStreams(seed));
            Assert.Equal(0, network.CrashIntervalMs);
            Assert.Equal(0, network.CorruptIntervalMs);
            FaultKnobs process = FaultKnobs.Draw(FaultSpec.Of(FaultProfile.Process), new RandomStreams(seed));
            Assert.True(process.Loss.IsNever && process.PartitionIntervalMs == 0);
            Assert.False(process.VoterDataLoss);
        }
    }

    [Fact]
    public void SpecsReadAsTheCommandLineWritesThem()
    {
        Assert.True(FaultSpec.TryParse("network,loss=0.05,crash-interval-ms=5s,voter-data-loss=on", out FaultSpec spec, out string? error), error);
        Assert.Equal(FaultProfile.Network, spec.Profile);
        Assert.Equal(50_000, spec.Fixed[FaultKnob.Loss]);
        Assert.Equal(5_000, spec.Fixed[FaultKnob.CrashIntervalMs]);
        Assert.Equal(1, spec.Fixed[FaultKnob.VoterDataLoss]);
        Assert.True(FaultSpec.TryParse(spec.ToString(), out FaultSpec again, out _));
        Assert.Equal(spec.ToString(), again.ToString());
        Assert.False(FaultSpec.TryParse("losss=0.1", out _, out error));
        Assert.Contains("no fault knob named 'losss'", error);
        Assert.False(FaultSpec.TryParse("loss=2", out _, out error));
        Assert.False(FaultSpec.TryParse("loss=0.1,network", out _, out error));
    }
}
