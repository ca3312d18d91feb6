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

    [Fact]
    public void ProbeAvailability_ListsEveryCodecAndWhyAMissingOneIsMissing()
    {
        var statuses = CodecRegistry.ProbeAvailability();

        Assert.Equal(4, statuses.Count);
        Assert.Contains(statuses, s => s.Codec.Contains("GDCM", StringComparison.Ordinal));
        Assert.Contains(statuses, s => s.Codec.Contains("OpenJPEG", StringComparison.Ordinal));
        Assert.Contains(statuses, s => s.Codec.Contains("CharLS", StringComparison.Ordinal));
        Assert.Contains(statuses, s => s.Codec.Contains("RLE", StringComparison.Ordinal) && s.Available);
        Assert.All(statuses.Where(s => !s.Available), s => Assert.True(s.Package.Length > 0 && s.Detail.Length > 0, s.ToString()));
    }

    [SkippableFact]
    public void ProbeAvailability_DebianPackagesInstalled_AllAvailable()
    {
        Skip.If(!File.Exists("/usr/lib/cli/gdcm-sharp-3.0/libgdcmsharpglue.so"), "libgdcm-cil is not installed: test skipped");
        Assert.All(CodecRegistry.ProbeAvailability(), s => Assert.True(s.Available, s.ToString()));
    }
}
