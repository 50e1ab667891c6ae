namespace Reference.Protocol.Tests.Golden;

/// <summary>
/// Golden vectors written as annotated hex: one wire field a line, the bytes first and a comment after
/// <c>#</c> naming the field, so a reader can check each line against Kafka's JSON schema without running
/// anything. The bytes are parsed here, never produced by our encoder.
/// </summary>
public static class AnnotatedHex
{
    /// <summary>The bytes of every line, comments and whitespace dropped.</summary>
    public static byte[] Parse(string annotated)
    {
        var hex = new System.Text.StringBuilder();
        foreach (string line in annotated.Split('\n'))
        {
            int comment = line.IndexOf('#');
            string bytes = comment < 0 ? line : line[..comment];
            foreach (char c in bytes)
            {
                if (char.IsWhiteSpace(c)) continue;
                if (!Uri.IsHexDigit(c)) throw new FormatException($"'{c}' is not hex in line: {line.Trim()}");
                hex.Append(c);
            }
        }
        if (hex.Length % 2 != 0) throw new FormatException($"odd number of hex digits ({hex.Length})");
        return Convert.FromHexString(hex.ToString());
    }

    /// <summary>
    /// A whole frame, size prefix included. The size is written by hand like every other field, and
    /// checked here against the bytes that follow it, so a miscounted vector fails as such and not as a
    /// codec bug.
    /// </summary>
    public static byte[] Frame(string annotated)
    {
        byte[] frame = Parse(annotated);
        if (frame.Length < 4) throw new FormatException("a frame needs its int32 size");
        int declared = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(frame);
        if (declared != frame.Length - 4)
            throw new FormatException($"the vector's size field says {declared} (0x{declared:x}) but {frame.Length - 4} (0x{frame.Length - 4:x}) bytes follow");
        return frame;
    }
}
