using Reference.Protocol.Primitives;

namespace Reference.Protocol.Messages;

/// <summary>A struct of the Kafka protocol that can write itself in a given version.</summary>
public interface IMessage
{
    void Write(ProtocolWriter writer, short version);
}

/// <summary>A top-level message: it knows its versions and can read itself.</summary>
public interface IMessage<TSelf> : IMessage where TSelf : IMessage<TSelf>
{
    static abstract VersionRange Versions { get; }

    static abstract VersionRange FlexibleVersions { get; }

    /// <summary>Reads the message; throws <see cref="MalformedFrameException"/> on bad input.</summary>
    static abstract TSelf Read(ref ProtocolReader reader, short version);
}

/// <summary>The body of a request or response of one API.</summary>
public interface IApiMessage : IMessage
{
    ApiKey ApiKey { get; }
}

public interface IRequestBody : IApiMessage;

public interface IResponseBody : IApiMessage;

/// <summary>A record of the __cluster_metadata log.</summary>
public interface IMetadataRecord : IMessage
{
    MetadataRecordType RecordType { get; }
}
