namespace Reference.Protocol.Primitives;

/// <summary>
/// Writes the unknown tagged fields a message kept, interleaved with the known ones so that the section
/// stays in ascending tag order as KIP-482 requires.
/// </summary>
public static class TaggedFieldWriter
{
    public static void WriteUnknown(ProtocolWriter writer, List<RawTaggedField>? unknown)
    {
        if (unknown is null) return;
        foreach (RawTaggedField field in unknown) writer.WriteTaggedField(field.Tag, field.Data.Span);
    }

    /// <summary>Writes the unknown fields from <paramref name="index"/> on whose tag is below <paramref name="tag"/>.</summary>
    public static void WriteUnknownBelow(ProtocolWriter writer, List<RawTaggedField>? unknown, int tag, ref int index)
    {
        if (unknown is null) return;
        while (index < unknown.Count && unknown[index].Tag < tag)
        {
            writer.WriteTaggedField(unknown[index].Tag, unknown[index].Data.Span);
            index++;
        }
    }
}
