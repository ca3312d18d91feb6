using Headsup.Imaging.Export;
using Headsup.Testing;
using Xunit;

namespace Headsup.Imaging.Tests.Export;

public sealed class NpyWriterTests
{
    [SkippableFact]
    public void Write_Float32Hwc_NumpyLoadsSameValues()
    {
        var python = ExternalTool.Require(ExternalTool.DebianPython);
        using var temp = TestData.CreateTempFolder();
        var path = Path.Combine(temp.Path, "a.npy");
        var data = Enumerable.Range(0, 2 * 3 * 3).Select(i => i * 0.25f).ToArray();
        using (var s = File.Create(path))
        {
            NpyWriter.Write(s, data, 2, 3, 3);
        }

        var (exit, stdout, stderr) = ExternalTool.Run(python, ["-c", $"import numpy as n; a=n.load('{path}'); print(a.dtype, a.shape, float(a[1,2,1]))"]);
        Skip.If(exit != 0 && stderr.Contains("No module named", StringComparison.Ordinal), "numpy missing");
        Assert.Equal("float32 (2, 3, 3) 4.0", stdout.Trim());
    }

    [SkippableFact]
    public void Write_Png_NumpyFreePythonDecoderReadsIt()
    {
        using var temp = TestData.CreateTempFolder();
        var path = Path.Combine(temp.Path, "a.png");
        var pixels = Enumerable.Range(0, 5 * 4 * 3).Select(i => (byte)(i * 4)).ToArray();
        using (var s = File.Create(path))
        {
            PngWriter.Write(s, pixels, 5, 4, 3);
        }

        var python = ExternalTool.Require(ExternalTool.DebianPython);
        // Decode with the standard library only (zlib) to check chunk CRCs, filter bytes and dimensions independently.
        var script = "import zlib,struct,sys\nd=open(sys.argv[1],'rb').read()\nassert d[:8]==b'\\x89PNG\\r\\n\\x1a\\n'\np=8;idat=b''\nwhile p<len(d):\n n=struct.unpack('>I',d[p:p+4])[0];t=d[p+4:p+8];c=d[p+8:p+8+n];crc=struct.unpack('>I',d[p+8+n:p+12+n])[0]\n assert zlib.crc32(t+c)&0xffffffff==crc\n if t==b'IHDR': w,h=struct.unpack('>II',c[:8])\n if t==b'IDAT': idat+=c\n p+=12+n\nraw=zlib.decompress(idat)\nprint(w,h,raw[1+3*2+1])";
        var (exit, stdout, stderr) = ExternalTool.Run(python, ["-c", script, path]);
        Assert.True(exit == 0, stderr);
        Assert.Equal("5 4 28", stdout.Trim());
    }
}
