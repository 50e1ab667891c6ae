using System.Globalization;
using Reference.Core.Node;

namespace Reference.Simulation.Randomness;

/// <summary>
/// A probability in parts per million. The simulation loop uses integers only: floating-point results can
/// differ between platforms and JIT choices, and one differing draw would fork a run from its trace.
/// </summary>
public readonly record struct Probability
{
    public const int PartsPerMillion = 1_000_000;

    public Probability(int ppm)
    {
        if (ppm is < 0 or > PartsPerMillion) throw new ArgumentOutOfRangeException(nameof(ppm), ppm, "a probability is 0..1000000 ppm");
        Ppm = ppm;
    }

    public int Ppm { get; }

    public static Probability Never => new(0);

    public static Probability Always => new(PartsPerMillion);

    public bool IsNever => Ppm == 0;

    /// <summary>True with this probability, drawing once from <paramref name="random"/> (even when never, so draw counts stay fixed).</summary>
    public bool Happens(IDeterministicRandom random) => random.Next(PartsPerMillion) < Ppm;

    /// <summary>Reads "0.05", "5%" or "0" exactly (decimal arithmetic, no rounding drift).</summary>
    public static bool TryParse(string text, out Probability probability)
    {
        probability = Never;
        bool percent = text.EndsWith('%');
        string number = percent ? text[..^1] : text;
        if (!decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal value)) return false;
        decimal ppm = value * (percent ? PartsPerMillion / 100 : PartsPerMillion);
        if (ppm < 0 || ppm > PartsPerMillion || ppm != decimal.Truncate(ppm)) return false;
        probability = new Probability((int)ppm);
        return true;
    }

    /// <summary>As a decimal fraction with no trailing zeros ("0.0125"); <see cref="TryParse"/> reads it back.</summary>
    public override string ToString() =>
        (Ppm / (decimal)PartsPerMillion).ToString("0.######", CultureInfo.InvariantCulture);
}
