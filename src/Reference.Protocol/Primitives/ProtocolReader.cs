using System.Buffers.Binary;
using System.Text;

namespace Reference.Protocol.Primitives;

/// <summary>
/// Reads Kafka's wire types from one frame. Every length is checked against the bytes that remain before
/// anything is allocated, and lists grow as their elements arrive, so what a frame makes us allocate
/// follows the bytes it really holds, never the lengths it claims, and we never read past its end; a
/// violation throws <see cref="MalformedFrameException"/>, which the decode entry points turn into a typed
/// error. Byte and record fields are returned as slices of the frame, never copied.
/// </summary>
public ref struct ProtocolReader
{
    private readonly ReadOnlyMemory<byte> _memory;
    private readonly ReadOnlySpan<byte> _span;
    private int _position;

    public ProtocolReader(ReadOnlyMemory<byte> memory)
    {
        _memory = memory;
        _span = memory.Span;
        _position = 0;
    }

    public readonly int Position => _position;

    public readonly int Remaining => _span.Length - _position;

    public readonly bool IsAtEnd => _position == _span.Length;

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > Remaining)
            throw new MalformedFrameException($"needs {count} bytes at offset {_position}, only {Remaining} remain");
        ReadOnlySpan<byte> slice = _span.Slice(_position, count);
        _position += count;
        return slice;
    }

    private ReadOnlyMemory<byte> TakeMemory(int count)
    {
        if (count < 0 || count > Remaining)
            throw new MalformedFrameException($"needs {count} bytes at offset {_position}, only {Remaining} remain");
        ReadOnlyMemory<byte> slice = _memory.Slice(_position, count);
        _position += count;
        return slice;
    }

    public bool ReadBool() => Take(1)[0] != 0;
    public sbyte ReadInt8() => (sbyte)Take(1)[0];
    public short ReadInt16() => BinaryPrimitives.ReadInt16BigEndian(Take(2));
    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));
    public int ReadInt32() => BinaryPrimitives.ReadInt32BigEndian(Take(4));
    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));
    public long ReadInt64() => BinaryPrimitives.ReadInt64BigEndian(Take(8));
    public double ReadFloat64() => BinaryPrimitives.ReadDoubleBigEndian(Take(8));
    public Uuid ReadUuid() => Uuid.ReadFrom(Take(Uuid.SizeBytes));

    /// <summary>Unsigned LEB128 varint of at most 5 bytes (protocol lengths and tags).</summary>
    public uint ReadUnsignedVarInt()
    {
        if (!VarInts.TryReadUnsigned(_span[_position..], out uint value, out int size))
            throw new MalformedFrameException($"unsigned varint at offset {_position} is truncated or overflows 32 bits");
        _position += size;
        return value;
    }

    /// <summary>Zigzag varint (record fields).</summary>
    public int ReadVarInt()
    {
        if (!VarInts.TryReadZigZag(_span[_position..], out int value, out int size))
            throw new MalformedFrameException($"varint at offset {_position} is truncated or overflows 32 bits");
        _position += size;
        return value;
    }

    /// <summary>Zigzag varlong of at most 10 bytes (record timestamps).</summary>
    public long ReadVarLong()
    {
        if (!VarInts.TryReadZigZagLong(_span[_position..], out long value, out int size))
            throw new MalformedFrameException($"varlong at offset {_position} is truncated or overflows 64 bits");
        _position += size;
        return value;
    }

    /// <summary>
    /// A length prefix: int16/int32 in classic versions, uvarint(length + 1) in flexible ones. Returns -1 for
    /// null. A length that is negative (other than null) or larger than what remains is malformed.
    /// </summary>
    private int ReadLength(bool compact, bool wide)
    {
        int length;
        if (compact)
        {
            uint raw = ReadUnsignedVarInt();
            length = raw == 0 ? -1 : raw - 1 > int.MaxValue ? throw new MalformedFrameException("length too large") : (int)(raw - 1);
        }
        else
        {
            length = wide ? ReadInt32() : ReadInt16();
            if (length < -1) throw new MalformedFrameException($"negative length {length}");
        }
        if (length > Remaining) throw new MalformedFrameException($"length {length} runs past the frame ({Remaining} bytes remain)");
        return length;
    }

    public string? ReadNullableString(bool compact)
    {
        int length = ReadLength(compact, wide: false);
        return length < 0 ? null : Encoding.UTF8.GetString(Take(length));
    }

    public string ReadString(bool compact) =>
        ReadNullableString(compact) ?? throw new MalformedFrameException("null where a string is required");

    public ReadOnlyMemory<byte>? ReadNullableBytes(bool compact)
    {
        int length = ReadLength(compact, wide: true);
        // Spelled out: "length < 0 ? null : ..." would turn null into an empty ReadOnlyMemory through
        // the implicit byte[] conversion, and a null record set would come back as an empty one.
        if (length < 0) return null;
        return TakeMemory(length);
    }

    public ReadOnlyMemory<byte> ReadBytes(bool compact) =>
        ReadNullableBytes(compact) ?? throw new MalformedFrameException("null where bytes are required");

    /// <summary>
    /// How many elements a decoded list reserves before any has been read. A count within the bytes that
    /// remain is still only a claim: reserving all of it up front would let N bytes of garbage take 8N
    /// bytes of references (16N of UUIDs) before the first element fails to parse.
    /// </summary>
    public const int ListCapacityUpFrontMax = 64;

    /// <summary>The capacity to start a list of <paramref name="count"/> claimed elements with; it grows as they are read.</summary>
    public static int InitialListCapacity(int count) => Math.Min(count, ListCapacityUpFrontMax);

    /// <summary>
    /// An array's element count, or -1 for null. Every element takes at least one byte, so a count above
    /// the bytes that remain is malformed; the list itself starts at <see cref="InitialListCapacity"/>.
    /// </summary>
    public int ReadArrayCount(bool compact)
    {
        int count = compact ? ReadLength(compact: true, wide: true) : ReadInt32();
        if (count < -1) throw new MalformedFrameException($"negative array count {count}");
        if (count > Remaining) throw new MalformedFrameException($"array count {count} exceeds the {Remaining} bytes that remain");
        return count;
    }

    /// <summary>Reads a tagged field's bytes (its size already known) as a sub-reader of its own.</summary>
    public ReadOnlyMemory<byte> ReadRaw(int count) => TakeMemory(count);

    /// <summary>The number of tagged fields; each takes at least two bytes, so it is bounded by what remains.</summary>
    public int ReadTaggedFieldCount()
    {
        uint count = ReadUnsignedVarInt();
        if (count > (uint)Remaining) throw new MalformedFrameException($"tagged field count {count} exceeds the {Remaining} bytes that remain");
        return (int)count;
    }

    public int ReadTag()
    {
        uint tag = ReadUnsignedVarInt();
        if (tag > int.MaxValue) throw new MalformedFrameException($"tag {tag} out of range");
        return (int)tag;
    }

    public int ReadTaggedFieldSize()
    {
        uint size = ReadUnsignedVarInt();
        if (size > (uint)Remaining) throw new MalformedFrameException($"tagged field size {size} runs past the frame");
        return (int)size;
    }

    /// <summary>The rest of the frame, unread.</summary>
    public ReadOnlyMemory<byte> ReadRemaining() => TakeMemory(Remaining);

    /// <summary>Checks that a tagged field's sub-reader consumed exactly its declared bytes.</summary>
    public readonly void ExpectEnd(string what)
    {
        if (!IsAtEnd) throw new MalformedFrameException($"{Remaining} unexpected bytes after {what}");
    }
}
