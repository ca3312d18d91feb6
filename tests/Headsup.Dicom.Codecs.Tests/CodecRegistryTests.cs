using Headsup.Dicom.Codecs.Rle;
using Xunit;

namespace Headsup.Dicom.Codecs.Tests;

public sealed class CodecRegistryTests
{
    [Fact]
    public void CreateDefault_EveryEncapsulatedSyntax_HasADecoderThatClaimsIt()
    {
        var registry = CodecRegistry.CreateDefault();
        foreach (var syntax in TransferSyntax.Known.Where(s => s.IsEncapsulated))
        {
            Assert.True(registry.TryGet(syntax, out var decoder), $"no decoder for {syntax}");
            Assert.True(decoder.CanDecode(syntax), $"{decoder.Name} registered for {syntax} but does not claim it");
        }
    }

    [Fact]
    public void TryGet_NativeSyntax_ReturnsFalse()
    {
        Assert.False(CodecRegistry.CreateDefault().TryGet(TransferSyntax.ExplicitVRLittleEndian, out _));
    }

    [Fact]
    public void Register_DecoderForOtherSyntax_Throws()
    {
        Assert.Throws<ArgumentException>(() => new CodecRegistry().Register(TransferSyntax.JpegBaseline, new RleDecoder()));
    }
}
