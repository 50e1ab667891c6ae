using System.CommandLine;
using Reference.Broker.Storage;

namespace Reference.Cli.Commands;

/// <summary>`kraft storage random-uuid | format -t ID -c FILE | info -c FILE` (kafka-storage.sh).</summary>
public sealed class StorageCommand : ICliVerb
{
    private readonly Option<string> _clusterId = new("--cluster-id", "-t") { Description = "The cluster id, e.g. from `kraft storage random-uuid`.", Required = true };
    private readonly Option<string> _formatConfig = new("--config", "-c") { Description = "The server.properties whose log.dirs to format.", Required = true };
    private readonly Option<string> _infoConfig = new("--config", "-c") { Description = "The server.properties whose log.dirs to inspect.", Required = true };
    private readonly Option<bool> _ignoreFormatted = CommonOptions.Flag("--ignore-formatted", "Skip directories that are already formatted instead of failing.");
    private readonly Option<bool> _standalone = CommonOptions.Flag("--standalone", "Accepted for compatibility: the quorum here is static (controller.quorum.voters).");

    public Command Build(CliConsole console)
    {
        var randomUuid = new Command("random-uuid", "Print a new random cluster id.");
        randomUuid.SetVerbAction(console, async (_, _) =>
        {
            await console.Out.WriteLineAsync(StorageCommands.RandomUuid());
            return VerbAction.Success;
        });
        _ignoreFormatted.Aliases.Add("-g");
        _standalone.Aliases.Add("-s");
        var format = new Command("format", "Format the log directories of a configuration.") { _clusterId, _formatConfig, _ignoreFormatted, _standalone };
        format.SetVerbAction(console, (parsed, _) => Task.FromResult(StorageCommands.Format(
            new FormatOptions(parsed.GetRequiredValue(_formatConfig), parsed.GetRequiredValue(_clusterId),
                parsed.GetValue(_ignoreFormatted), parsed.GetValue(_standalone)), console.Out, console.Error)));
        var info = new Command("info", "Show what the log directories of a configuration hold.") { _infoConfig };
        info.SetVerbAction(console, (parsed, _) => Task.FromResult(StorageCommands.Info(parsed.GetRequiredValue(_infoConfig), console.Out, console.Error)));
        return new Command("storage", "Create a cluster id, format storage, or inspect it (kafka-storage.sh).") { randomUuid, format, info };
    }
}
