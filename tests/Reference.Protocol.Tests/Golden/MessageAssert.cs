using System.Collections;
using System.Reflection;
using Reference.Protocol.Messages;

namespace Reference.Protocol.Tests.Golden;

/// <summary>
/// Field-by-field equality of generated messages, which have no Equals of their own: public properties
/// compared recursively through nested structs and lists, byte fields by content. A failure names the
/// path of the first field that differs, e.g. <c>Topics[0].Partitions[1].FetchOffset</c>.
/// </summary>
public static class MessageAssert
{
    private const int DepthMax = 16;

    public static void Equivalent(object expected, object actual) => Compare(expected, actual, expected.GetType().Name, 0);

    private static void Compare(object? expected, object? actual, string path, int depth)
    {
        Assert.True(depth < DepthMax, $"{path}: nested deeper than {DepthMax}");
        if (expected is null || actual is null)
        {
            Assert.True(expected is null && actual is null, $"{path}: expected {Show(expected)}, got {Show(actual)}");
            return;
        }
        Assert.True(expected.GetType() == actual.GetType(), $"{path}: expected a {expected.GetType().Name}, got a {actual.GetType().Name}");
        switch (expected)
        {
            case ReadOnlyMemory<byte> bytes:
                Assert.True(bytes.Span.SequenceEqual(((ReadOnlyMemory<byte>)actual).Span),
                    $"{path}: expected bytes {Convert.ToHexString(bytes.Span)}, got {Convert.ToHexString(((ReadOnlyMemory<byte>)actual).Span)}");
                return;
            case IMessage:
                foreach (PropertyInfo property in expected.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
                {
                    if (property.GetIndexParameters().Length > 0) continue;
                    Compare(property.GetValue(expected), property.GetValue(actual), $"{path}.{property.Name}", depth + 1);
                }
                return;
            case IList list:
                var other = (IList)actual;
                Assert.True(list.Count == other.Count, $"{path}: expected {list.Count} elements, got {other.Count}");
                for (int i = 0; i < list.Count; i++) Compare(list[i], other[i], $"{path}[{i}]", depth + 1);
                return;
            default:
                Assert.True(expected.Equals(actual), $"{path}: expected {Show(expected)}, got {Show(actual)}");
                return;
        }
    }

    private static string Show(object? value) => value switch
    {
        null => "null",
        string text => $"\"{text}\"",
        _ => value.ToString() ?? "",
    };
}
