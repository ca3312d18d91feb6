using System.Globalization;
using Headsup.Testing;
using Headsup.Triage.Rendering;
using Xunit;

namespace Headsup.Triage.Tests;

/// <summary>Heatmap files: float32 rows × columns .npy written through Imaging's NpyWriter, atomically.</summary>
public class NpyFileTests
{
    [SkippableFact]
    public void Numpy_reads_what_we_write()
    {
        ExternalTool.Require(ExternalTool.DebianPython);
        using var folder = TestData.CreateTempFolder();
        var path = Path.Combine(folder.Path, "h.heatmap.npy");
        var values = Enumerable.Range(0, 7 * 5).Select(i => (i * 0.25f) - 3f).ToArray();
        values[3] = float.MinValue;
        OverlayRenderer.SaveHeatmap(values, 7, 5, path);
        var script = "import numpy as np,sys; a=np.load(sys.argv[1]); print(a.dtype, a.shape, repr(float(a.sum())), repr(float(a[0,3])), a.flags['C_CONTIGUOUS'])";
        var (exit, stdout, stderr) = ExternalTool.Run(ExternalTool.DebianPython, ["-c", script, path]);
        Assert.True(exit == 0, stderr);
        double expectedSum = values.Select(v => (double)v).Sum();
        var parts = stdout.Trim().Split(' ');
        Assert.Equal("float32", parts[0]);
        Assert.Equal("(7, 5)", parts[1] + " " + parts[2]);
        Assert.Equal(expectedSum, double.Parse(parts[3], CultureInfo.InvariantCulture), 3);
        Assert.Equal(float.MinValue, float.Parse(parts[4], CultureInfo.InvariantCulture));
        Assert.Equal("True", parts[5]);
    }

    [Fact]
    public void Round_trip_and_header_alignment()
    {
        using var folder = TestData.CreateTempFolder();
        var path = Path.Combine(folder.Path, "a.npy");
        var values = Enumerable.Range(0, 512 * 3).Select(i => (float)Math.Sqrt(i)).ToArray();
        OverlayRenderer.SaveHeatmap(values, 3, 512, path);
        var read = NpyFile.Read(path);
        Assert.Equal(new[] { 3, 512 }, read.Shape);
        Assert.Equal(values, read.AsFloats());
        Assert.Equal(0, (File.ReadAllBytes(path).Length - (values.Length * 4)) % 64);
    }

    [Fact]
    public void Wrong_shape_is_refused()
    {
        using var folder = TestData.CreateTempFolder();
        Assert.Throws<ArgumentException>(() => OverlayRenderer.SaveHeatmap(new float[10], 3, 3, Path.Combine(folder.Path, "b.npy")));
        Assert.Empty(Directory.GetFiles(folder.Path));
    }
}
