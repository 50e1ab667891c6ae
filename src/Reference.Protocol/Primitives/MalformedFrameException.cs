namespace Reference.Protocol.Primitives;

/// <summary>
/// Raised inside the decoders when the bytes do not form a valid message: a length that runs past the
/// frame, a negative size, a bad varint. It never leaves the library: the public decode entry points
/// (<see cref="Reference.Protocol.Framing.RequestDecoder"/> and friends) catch it and return a typed error,
/// so a hostile frame cannot crash the broker.
/// </summary>
public sealed class MalformedFrameException(string message) : Exception(message);
