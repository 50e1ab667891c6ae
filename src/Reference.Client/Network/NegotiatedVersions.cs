using Reference.Client.Errors;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;

namespace Reference.Client.Network;

/// <summary>
/// The version to use per API on one connection: the highest both this client and the broker support.
/// An API either side lacks has no entry, and asking for it says which side lacks it.
/// </summary>
public sealed class NegotiatedVersions
{
    private readonly SortedDictionary<ApiKey, short> _chosen;
    private readonly IReadOnlyDictionary<ApiKey, VersionRange> _broker;

    private NegotiatedVersions(SortedDictionary<ApiKey, short> chosen, IReadOnlyDictionary<ApiKey, VersionRange> broker)
    {
        _chosen = chosen;
        _broker = broker;
    }

    /// <summary>Picks, per API, the highest version in the intersection of the two ranges.</summary>
    public static NegotiatedVersions Negotiate(IEnumerable<ApiVersionsResponse.ApiVersion> brokerRanges)
    {
        var broker = new Dictionary<ApiKey, VersionRange>();
        foreach (var entry in brokerRanges) broker[(ApiKey)entry.ApiKey] = new VersionRange(entry.MinVersion, entry.MaxVersion);
        var chosen = new SortedDictionary<ApiKey, short>();
        foreach (var (key, ours) in ClientApiVersions.Entries)
        {
            if (!broker.TryGetValue(key, out VersionRange theirs)) continue;
            short highest = Math.Min(ours.Highest, theirs.Highest);
            short lowest = Math.Max(ours.Lowest, theirs.Lowest);
            if (highest >= lowest) chosen[key] = highest;
        }
        return new NegotiatedVersions(chosen, broker);
    }

    public bool Supports(ApiKey key) => _chosen.ContainsKey(key);

    /// <summary>The version to send; throws a one-line explanation when there is none.</summary>
    public short For(ApiKey key, string endpoint)
    {
        if (_chosen.TryGetValue(key, out short version)) return version;
        string ours = ClientApiVersions.TryGetRange(key, out VersionRange ourRange) ? $"versions {ourRange}" : "no version";
        string theirs = _broker.TryGetValue(key, out VersionRange theirRange) ? $"versions {theirRange}" : "no version";
        throw new KafkaProtocolException(
            $"The broker at {endpoint} supports {theirs} of {key} and this client {ours}: they have none in common.");
    }

    public IEnumerable<KeyValuePair<ApiKey, short>> Entries => _chosen;
}
