using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Reference.Protocol.Primitives;

/// <summary>
/// Writes Kafka's wire types into a growable buffer rented from <see cref="ArrayPool{T}"/>. Dispose returns
/// the buffer. Values a version cannot carry (null where the version has no null) are written as empty,
/// which keeps encode-decode-encode the identity.
/// </summary>
public sealed class ProtocolWriter : IDisposable
{
    private const int InitialCapacityBytes = 256;
    private byte[] _buffer;
    private int _length;

    public ProtocolWriter(int initialCapacityBytes = InitialCapacityBytes)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacityBytes, 16));
    }

    public int Length => _length;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    public byte[] ToArray() => WrittenSpan.ToArray();

    public void Clear() => _length = 0;

    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        _length = 0;
        if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
    }

    private Span<byte> Grow(int count)
    {
        if (_length + count > _buffer.Length)
        {
            int capacity = Math.Max(_buffer.Length * 2, _length + count);
            byte[] bigger = ArrayPool<byte>.Shared.Rent(capacity);
            _buffer.AsSpan(0, _length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }
        Span<byte> slice = _buffer.AsSpan(_length, count);
        _length += count;
        return slice;
    }

    /// <summary>Reserves four bytes for a big-endian int32 filled in later by <see cref="PatchInt32"/>.</summary>
    public int ReserveInt32()
    {
        int position = _length;
        Grow(4);
        return position;
    }

    public void PatchInt32(int position, int value) =>
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(position, 4), value);

    public void WriteBool(bool value) => Grow(1)[0] = value ? (byte)1 : (byte)0;
    public void WriteInt8(sbyte value) => Grow(1)[0] = (byte)value;
    public void WriteInt16(short value) => BinaryPrimitives.WriteInt16BigEndian(Grow(2), value);
    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(Grow(2), value);
    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32BigEndian(Grow(4), value);
    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32BigEndian(Grow(4), value);
    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64BigEndian(Grow(8), value);
    public void WriteFloat64(double value) => BinaryPrimitives.WriteDoubleBigEndian(Grow(8), value);
    public void WriteUuid(Uuid value) => value.WriteTo(Grow(Uuid.SizeBytes));
    public void WriteRaw(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Grow(bytes.Length));

    public void WriteUnsignedVarInt(uint value)
    {
        while (value >= 0x80)
        {
            Grow(1)[0] = (byte)(value | 0x80);
            value >>= 7;
        }
        Grow(1)[0] = (byte)value;
    }

    public void WriteVarInt(int value) => WriteUnsignedVarInt((uint)((value << 1) ^ (value >> 31)));

    public void WriteVarLong(long value)
    {
        ulong raw = (ulong)((value << 1) ^ (value >> 63));
        while (raw >= 0x80)
        {
            Grow(1)[0] = (byte)(raw | 0x80);
            raw >>= 7;
        }
        Grow(1)[0] = (byte)raw;
    }

    private void WriteLength(int length, bool compact, bool wide)
    {
        if (compact) WriteUnsignedVarInt((uint)(length + 1));
        else if (wide) WriteInt32(length);
        else WriteInt16(checked((short)length));
    }

    public void WriteString(string? value, bool compact, bool nullable)
    {
        if (value is null)
        {
            WriteLength(nullable ? -1 : 0, compact, wide: false);
            return;
        }
        int length = Encoding.UTF8.GetByteCount(value);
        WriteLength(length, compact, wide: false);
        Encoding.UTF8.GetBytes(value, Grow(length));
    }

    public void WriteBytes(ReadOnlyMemory<byte>? value, bool compact, bool nullable)
    {
        if (value is null)
        {
            WriteLength(nullable ? -1 : 0, compact, wide: true);
            return;
        }
        WriteLength(value.Value.Length, compact, wide: true);
        WriteRaw(value.Value.Span);
    }

    /// <summary>An array's element count; null is written as empty where the version has no null.</summary>
    public void WriteArrayCount(int? count, bool compact, bool nullable) =>
        WriteLength(count ?? (nullable ? -1 : 0), compact, wide: true);

    /// <summary>Writes one tagged field (KIP-482): tag, size, then the bytes a scratch writer holds.</summary>
    public void WriteTaggedField(int tag, ReadOnlySpan<byte> data)
    {
        WriteUnsignedVarInt((uint)tag);
        WriteUnsignedVarInt((uint)data.Length);
        WriteRaw(data);
    }
}
