using Headsup.Dicom;
using Headsup.Dicom.Pixels;
using Headsup.Imaging.Recipes;
using Headsup.Imaging.Slices;

namespace Headsup.Benchmarks.Pipeline;

/// <summary>
/// DICOM bytes → HU → E2 CHW float tensor, with buffers reused across slices (the hot path of preprocessing and
/// inference). Used by the BenchmarkDotNet class and by the side-by-side throughput command.
/// </summary>
internal sealed class E2Pipeline
{
    private readonly RecipeOptions _options = new() { Kind = RecipeKind.E2 };
    private float[] _hu = [];
    private float[] _tensor = [];

    /// <summary>The last tensor (3 × rows × columns).</summary>
    public ReadOnlySpan<float> Tensor => _tensor;

    /// <summary>Processes one file already in memory.</summary>
    public void Run(ReadOnlyMemory<byte> bytes, string name)
    {
        var file = DicomFileReader.Parse(bytes, name);
        var reader = PixelFrameReader.Create(file, null);
        var info = reader.Info;
        int plane = info.Rows * info.Columns;
        if (_hu.Length != plane)
        {
            _hu = new float[plane];
            _tensor = new float[3 * plane];
        }

        HuSliceLoader.LoadInto(file, reader, 0, _hu);
        RecipeBuilder.WriteE2(_hu, _tensor, _options);
    }
}
