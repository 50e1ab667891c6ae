namespace Reference.EndToEnd.Tests.Harness;

/// <summary>
/// The command lines of the real clients the tests drive. tests/run installs all of them; when one is
/// missing the test fails with a line naming it rather than being skipped, so a machine without the
/// clients cannot pass the suite by running nothing.
/// </summary>
public static class ClientCommands
{
    /// <summary>
    /// Debian's python3-confluent-kafka (1.7.0 on librdkafka 2.0.2) is importable only by the system
    /// interpreter; a python3 earlier on PATH (pyenv) may not see it.
    /// </summary>
    public const string SystemPython = "/usr/bin/python3";

    /// <summary>kcat 1.7.1 (librdkafka 2.0.2).</summary>
    public static Command Kcat(params string[] arguments) =>
        new(RepositoryLayout.OnPath("kcat") ?? throw Missing("kcat is not on PATH", "apt-get install kcat"), arguments);

    /// <summary>A kafkajs 2.2.4 script in tests/clients, run by node with tests/clients/node_modules.</summary>
    public static Command Kafkajs(string script, params string[] arguments)
    {
        string node = RepositoryLayout.OnPath("node") ?? throw Missing("node is not on PATH", "install Node.js");
        string kafkajs = Path.Combine(RepositoryLayout.ClientsDirectory, "node_modules", "kafkajs", "package.json");
        if (!File.Exists(kafkajs)) throw Missing($"{kafkajs} is missing", "npm ci in tests/clients");
        return new Command(node, [RepositoryLayout.ClientScript(script), .. arguments]) { WorkingDirectory = RepositoryLayout.ClientsDirectory };
    }

    /// <summary>A confluent-kafka-python script in tests/clients, run by the system python.</summary>
    public static Command ConfluentKafka(string script, params string[] arguments)
    {
        if (!File.Exists(SystemPython)) throw Missing($"{SystemPython} is missing", "apt-get install python3-confluent-kafka");
        return new Command(SystemPython, [RepositoryLayout.ClientScript(script), .. arguments]) { WorkingDirectory = RepositoryLayout.ClientsDirectory };
    }

    /// <summary>The kraft command, as `dotnet kraft.dll`.</summary>
    public static Command Kraft(params string[] arguments) =>
        new(RepositoryLayout.DotnetHost(), [RepositoryLayout.KraftDll(), .. arguments]);

    private static FileNotFoundException Missing(string what, string fix) =>
        new($"{what}: tests/run installs the test clients ({fix}).");
}
