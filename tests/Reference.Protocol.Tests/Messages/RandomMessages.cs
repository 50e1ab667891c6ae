using System.Collections;
using System.Reflection;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;

namespace Reference.Protocol.Tests.Messages;

/// <summary>
/// Fills any generated message with random values, reading its shape from its properties: nulls only
/// where the property is nullable, small lists, nested structs down to a depth bound, and now and then an
/// unknown tagged field, so that encode-decode-encode is tested on every field of every message.
/// </summary>
public sealed class RandomMessages(int seed)
{
    private const int ListLengthMax = 3;
    private const int DepthMax = 6;
    private const int StringLengthMax = 12;
    private readonly Random _random = new(seed);
    private readonly NullabilityInfoContext _nullability = new();

    /// <summary>Every top-level message type the library defines (those implementing IMessage&lt;T&gt;).</summary>
    public static IReadOnlyList<Type> AllMessageTypes { get; } = typeof(IMessage).Assembly.GetTypes()
        .Where(t => t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IMessage<>)))
        .OrderBy(t => t.Name, StringComparer.Ordinal)
        .ToList();

    public object Create(Type type, int depth = 0)
    {
        object instance = Activator.CreateInstance(type)!;
        foreach (PropertyInfo property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (!property.CanWrite) continue;
            if (property.Name == "UnknownTaggedFields")
            {
                property.SetValue(instance, _random.Next(6) == 0 ? UnknownTaggedFields() : null);
                continue;
            }
            bool nullable = _nullability.Create(property).WriteState == NullabilityState.Nullable;
            property.SetValue(instance, Value(property.PropertyType, nullable, depth));
        }
        return instance;
    }

    private List<RawTaggedField> UnknownTaggedFields()
    {
        // Tags far above any Kafka defines, ascending, as a newer peer would send them.
        int tag = 1000 + _random.Next(100);
        return [new RawTaggedField(tag, Bytes()), new RawTaggedField(tag + 1 + _random.Next(50), Bytes())];
    }

    private object? Value(Type type, bool nullable, int depth)
    {
        Type? underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null)
        {
            if (_random.Next(4) == 0) return null;
            type = underlying;
        }
        else if (nullable && !type.IsValueType && _random.Next(4) == 0)
        {
            return null;
        }
        if (type == typeof(bool)) return _random.Next(2) == 1;
        if (type == typeof(sbyte)) return (sbyte)_random.Next(sbyte.MinValue, sbyte.MaxValue + 1);
        if (type == typeof(short)) return (short)_random.Next(short.MinValue, short.MaxValue + 1);
        if (type == typeof(ushort)) return (ushort)_random.Next(ushort.MaxValue + 1);
        if (type == typeof(int)) return _random.Next(4) == 0 ? -1 : _random.Next(int.MinValue, int.MaxValue);
        if (type == typeof(uint)) return (uint)_random.NextInt64(uint.MaxValue + 1L);
        if (type == typeof(long)) return _random.NextInt64(long.MinValue, long.MaxValue);
        if (type == typeof(double)) return _random.NextDouble() * 1e6 - 5e5;
        if (type == typeof(string)) return Text();
        if (type == typeof(Uuid)) return new Uuid(_random.NextInt64(), _random.NextInt64());
        if (type == typeof(ReadOnlyMemory<byte>)) return new ReadOnlyMemory<byte>(Bytes());
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            Type element = type.GetGenericArguments()[0];
            var list = (IList)Activator.CreateInstance(type)!;
            int count = depth >= DepthMax ? 0 : _random.Next(ListLengthMax + 1);
            for (int i = 0; i < count; i++) list.Add(Value(element, nullable: false, depth + 1));
            return list;
        }
        if (typeof(IMessage).IsAssignableFrom(type)) return Create(type, depth + 1);
        throw new NotSupportedException($"no random values for {type}");
    }

    private string Text()
    {
        const string alphabet = "abcXYZ019-._ éü日本";
        int length = _random.Next(StringLengthMax + 1);
        return string.Create(length, _random, (chars, random) =>
        {
            for (int i = 0; i < chars.Length; i++) chars[i] = alphabet[random.Next(alphabet.Length)];
        });
    }

    private byte[] Bytes()
    {
        var bytes = new byte[_random.Next(9)];
        _random.NextBytes(bytes);
        return bytes;
    }
}
