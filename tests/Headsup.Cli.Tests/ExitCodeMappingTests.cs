using Headsup.Dicom;
using Headsup.Series;
using Xunit;

namespace Headsup.Cli.Tests;

/// <summary>Program.ExitCodeFor and MessageFor: the one mapping from exceptions to documented exit codes.</summary>
public sealed class ExitCodeMappingTests
{
    public static TheoryData<Exception, int> Cases => new()
    {
        { new UsageException("--x is wrong"), 2 },
        { new ScanInputException("/missing", "no such file or folder"), 3 },
        { new NoDicomFoundException("/empty", 0, 0), 3 },
        { new IOException("disk full"), 3 },
        { new UnauthorizedAccessException("Access to the path '/out' is denied."), 3 },
        { new DicomParseException("a.dcm", 10, null, "truncated"), 1 },
        { new DicomPixelDataException("a.dcm", "too short"), 1 },
        { new DicomCodecUnavailableException("a.dcm", "JPEG (GDCM)", "libgdcm-cil", "not installed"), 1 },
        { new Headsup.Models.ModelException("model.json is missing"), 3 },
        { new OperationCanceledException(), 130 },
        { new InvalidOperationException("a bug"), 3 },
        { new AggregateException(new DicomParseException("b.dcm", 0, null, "bad")), 1 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ExitCodeFor_EachKindOfFailure_IsTheDocumentedCode(Exception exception, int expected)
    {
        Assert.Equal(expected, Program.ExitCodeFor(exception));
    }

    [Fact]
    public void MessageFor_UnexpectedException_IsOneInternalErrorLineWithTypeAndMessage()
    {
        var message = Program.MessageFor(new InvalidOperationException("a bug"), 3);

        Assert.StartsWith("error: internal error: System.InvalidOperationException: a bug", message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', message);
    }

    [Fact]
    public void MessageFor_TypedFailure_IsTheErrorNamingTheFile()
    {
        Assert.Equal("error: a.dcm: at byte 10: truncated", Program.MessageFor(new DicomParseException("a.dcm", 10, null, "truncated"), 1));
    }
}
