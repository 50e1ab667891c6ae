using Reference.Core.Node;

namespace Reference.Core.Groups;

/// <summary>
/// Member ids in Kafka's shape (<c>GroupMetadata.generateMemberId</c>): the client id, or the
/// <c>group.instance.id</c> of a static member, then a dash and a random (version 4) UUID as Java prints it.
/// The randomness is the node's seeded generator, so a simulation replays the same ids.
/// </summary>
internal static class GroupMemberIds
{
    private const int UuidSizeBytes = 16;

    public static string Generate(string prefix, IDeterministicRandom random)
    {
        Span<byte> uuid = stackalloc byte[UuidSizeBytes];
        random.NextBytes(uuid);
        // The version and variant bits of java.util.UUID.randomUUID (RFC 4122 §4.4).
        uuid[6] = (byte)((uuid[6] & 0x0F) | 0x40);
        uuid[8] = (byte)((uuid[8] & 0x3F) | 0x80);
        string hex = Convert.ToHexStringLower(uuid);
        return $"{prefix}-{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
    }
}
