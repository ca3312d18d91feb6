namespace Headsup.Dicom.Codecs;

/// <summary>Whether one codec of <see cref="CodecRegistry.CreateDefault"/> can decode on this machine, and why not.</summary>
/// <param name="Codec">The codec and its implementation, e.g. "JPEG-LS (CharLS)".</param>
/// <param name="TransferSyntaxes">What it decodes, in words.</param>
/// <param name="Package">The Debian package that provides it; empty for managed code.</param>
/// <param name="Available">True when it can be loaded now.</param>
/// <param name="Detail">The library used, or why it is missing.</param>
public sealed record CodecStatus(string Codec, string TransferSyntaxes, string Package, bool Available, string Detail);
