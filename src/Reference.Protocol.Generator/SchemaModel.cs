namespace Reference.Protocol.Generator;

/// <summary>An inclusive version range in a definition: "3+", "0-7", "5" or "none".</summary>
public readonly record struct Versions(short Lowest, short Highest)
{
    public static readonly Versions None = new(0, -1);
    public static readonly Versions All = new(0, short.MaxValue);

    public bool IsEmpty => Highest < Lowest;
    public bool IsOpenEnded => Highest == short.MaxValue;
    public bool Contains(short version) => version >= Lowest && version <= Highest;

    public Versions Intersect(Versions other) =>
        new(Math.Max(Lowest, other.Lowest), Math.Min(Highest, other.Highest));

    /// <summary>True when every version in <paramref name="scope"/> is in this range.</summary>
    public bool Covers(Versions scope) => scope.IsEmpty || (Lowest <= scope.Lowest && Highest >= scope.Highest);

    public static Versions Parse(string text)
    {
        if (text == "none") return None;
        if (text.EndsWith('+')) return new(short.Parse(text[..^1]), short.MaxValue);
        int dash = text.IndexOf('-');
        if (dash > 0) return new(short.Parse(text[..dash]), short.Parse(text[(dash + 1)..]));
        short single = short.Parse(text);
        return new(single, single);
    }

    public override string ToString() =>
        IsEmpty ? "none" : IsOpenEnded ? $"{Lowest}+" : Lowest == Highest ? $"{Lowest}" : $"{Lowest}-{Highest}";
}

/// <summary>What kind of thing a definition describes, which decides the interface its class implements.</summary>
public enum MessageKind { Request, Response, Header, Data, Metadata }

/// <summary>
/// A field's type. Primitive names follow Kafka's schema language (int8 ... float64, string, bytes, uuid,
/// records); an array is "[]" + element; anything else names a struct.
/// </summary>
public sealed record FieldType(string Name)
{
    public static readonly string[] Primitives =
        ["bool", "int8", "int16", "uint16", "int32", "uint32", "int64", "float64", "string", "bytes", "uuid", "records"];

    public bool IsArray => Name.StartsWith("[]", StringComparison.Ordinal);
    public FieldType Element => IsArray ? new FieldType(Name[2..]) : throw new InvalidOperationException($"{Name} is not an array");
    public bool IsPrimitive => Primitives.Contains(Name);
    public bool IsStruct => !IsArray && !IsPrimitive;
    public bool IsStructArray => IsArray && Element.IsStruct;
}

public sealed record FieldSpec(
    string Name,
    FieldType Type,
    Versions Versions,
    Versions NullableVersions,
    int? Tag,
    Versions TaggedVersions,
    string? Default,
    bool FlexibleNever,
    IReadOnlyList<FieldSpec> Fields,
    int Line,
    string? Summary)
{
    public bool IsTagged => Tag is not null;
}

/// <summary>A struct with its fields: the message itself, an inline struct, or a common struct.</summary>
public sealed record StructSpec(string Name, IReadOnlyList<FieldSpec> Fields);

public sealed record MessageSpec(
    MessageKind Kind,
    string Name,
    short? ApiKey,
    Versions ValidVersions,
    Versions FlexibleVersions,
    IReadOnlyList<FieldSpec> Fields,
    IReadOnlyList<StructSpec> CommonStructs,
    string SourceFile,
    string? Summary);
