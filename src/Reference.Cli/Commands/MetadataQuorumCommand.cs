using System.CommandLine;
using Reference.Cli.Formatting;
using Reference.Client.Admin;
using Reference.Client.Network;

namespace Reference.Cli.Commands;

/// <summary>`kraft metadata-quorum describe --status|--replication` (kafka-metadata-quorum.sh).</summary>
public sealed class MetadataQuorumCommand : ICliVerb
{
    private readonly Option<string> _bootstrap = CommonOptions.BootstrapServer();
    private readonly Option<bool> _status = CommonOptions.Flag("--status", "The quorum's cluster id, leader, epoch, high watermark, lag and members.");
    private readonly Option<bool> _replication = CommonOptions.Flag("--replication", "Each replica's log end offset, lag and last fetch.");

    public Command Build(CliConsole console)
    {
        var describe = new Command("describe", "Describe the metadata quorum.") { _status, _replication };
        describe.SetVerbAction(console, (parsed, cancellationToken) => DescribeAsync(parsed, console, cancellationToken));
        return new Command("metadata-quorum", "Describe the KRaft metadata quorum (kafka-metadata-quorum.sh).") { _bootstrap, describe };
    }

    private async Task<int> DescribeAsync(ParseResult parsed, CliConsole console, CancellationToken cancellationToken)
    {
        bool status = parsed.GetValue(_status);
        bool replication = parsed.GetValue(_replication);
        if (status == replication) throw new CliUsageException("describe needs exactly one of --status and --replication");
        await using var cluster = new ClusterClient(CommonOptions.Client(parsed.GetRequiredValue(_bootstrap), "kraft-metadata-quorum"));
        var admin = new AdminClient(cluster);
        QuorumDescription quorum = await admin.DescribeQuorumAsync(cancellationToken);
        if (replication)
        {
            await console.Out.WriteAsync(QuorumStatusFormat.Replication(quorum));
            return VerbAction.Success;
        }
        ClusterDescription description = await admin.DescribeClusterAsync(cancellationToken);
        await console.Out.WriteAsync(QuorumStatusFormat.Status(description.ClusterId, quorum));
        return VerbAction.Success;
    }
}
