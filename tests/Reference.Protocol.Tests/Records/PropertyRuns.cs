using FsCheck;
using FsCheck.Fluent;

namespace Reference.Protocol.Tests.Records;

/// <summary>
/// How the record-format properties are run: FsCheck's runner inside an xunit fact, throwing on the first
/// counterexample. FsCheck's failure message carries the shrunk input and the seed (StdGen) to replay it.
/// </summary>
internal static class PropertyRuns
{
    /// <summary>Enough cases to hit every branch of the small formats, few enough for a 2-core build box.</summary>
    public const int DefaultCaseCount = 200;

    public static void Check(Property property, int caseCount = DefaultCaseCount) =>
        global::FsCheck.Check.One(Config.QuickThrowOnFailure.WithMaxTest(caseCount), property);

    /// <summary>Arbitrary bytes: FsCheck picks the length and a seed; the bytes come from the seed so long
    /// inputs stay cheap to generate and a failure still reproduces.</summary>
    public static Arbitrary<byte[]> Bytes(int lengthMax) =>
        Gen.Choose(0, lengthMax).Zip(Gen.Choose(int.MinValue, int.MaxValue), (length, seed) =>
        {
            var bytes = new byte[length];
            new Random(seed).NextBytes(bytes);
            return bytes;
        }).ToArbitrary();
}
