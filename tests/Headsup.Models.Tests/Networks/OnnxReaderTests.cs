using Google.Protobuf;
using Headsup.Models.Networks;
using Headsup.Testing;
using Xunit;

namespace Headsup.Models.Tests.Networks;

public sealed class OnnxReaderTests
{
    private static string OnnxPath => PretrainedWeights.RequireResNet18Onnx();

    [Fact]
    public void Read_ResNet18_GivesTheCntkGraph()
    {
        var model = OnnxReader.Read(OnnxPath);
        Assert.Equal("CNTK", model.ProducerName);
        Assert.Equal(74, model.Nodes.Count);
        Assert.Equal(110, model.Initializers.Count);
        var input = Assert.Single(model.Inputs, i => !model.Initializers.ContainsKey(i.Name));
        Assert.Equal("Input247", input.Name);
        Assert.Equal([1L, 3, 224, 224], input.Shape);
        var output = Assert.Single(model.Outputs);
        Assert.Equal([1L, 512, 1, 1], output.Shape);
        Assert.Equal(22, model.Nodes.Count(n => n.OpType == "Conv"));
        Assert.Equal(9, model.Nodes.Count(n => n.OpType == "Add"));
        // 15,897,152 parameters + 2 × 5,824 BatchNorm running statistics.
        Assert.Equal(15_908_800L, model.Initializers.Values.Sum(t => (long)t.Data.Length));
        var stem = model.Nodes[0];
        Assert.Equal("Conv", stem.OpType);
        Assert.Equal([3L, 3, 2, 2], stem.Ints("pads", []));
        var w = model.Initializers[stem.Inputs[1]];
        Assert.Equal([64L, 3, 7, 7], w.Dims);
        Assert.Equal(64 * 3 * 7 * 7, w.Data.Length);
        Assert.All(w.Data, v => Assert.True(float.IsFinite(v)));
        Assert.Equal(1e-5f, model.Nodes[1].Float("epsilon", 0), 1e-9f);
    }

    [Fact]
    public void Read_TruncatedFile_ThrowsNamingTheFile()
    {
        using var temp = TestData.CreateTempFolder();
        var path = Path.Combine(temp.Path, "truncated.onnx");
        using (var source = File.OpenRead(OnnxPath))
        using (var target = File.Create(path))
        {
            var buffer = new byte[1_000_000];
            source.ReadExactly(buffer);
            target.Write(buffer);
        }

        var ex = Assert.Throws<OnnxFormatException>(() => OnnxReader.Read(path));
        Assert.Equal(path, ex.FilePath);
        Assert.StartsWith(path + ":", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NotProtobuf_ThrowsNamingTheFile()
    {
        using var temp = TestData.CreateTempFolder();
        var path = Path.Combine(temp.Path, "text.onnx");
        File.WriteAllText(path, "not an onnx file at all");
        var ex = Assert.Throws<OnnxFormatException>(() => OnnxReader.Read(path));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NoGraph_Throws()
    {
        var ex = Assert.Throws<OnnxFormatException>(() => OnnxReader.Parse([], "empty.onnx"));
        Assert.Contains("no graph", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_AbsurdTensorSize_IsRefused()
    {
        var bytes = Model(Tensor("w", [1L << 20, 1L << 20], floats: [1f]));
        var ex = Assert.Throws<OnnxFormatException>(() => OnnxReader.Parse(bytes, "huge.onnx"));
        Assert.Contains("exceeds", ex.Message, StringComparison.Ordinal);
        Assert.StartsWith("huge.onnx:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DataShorterThanShape_IsRefused()
    {
        var ex = Assert.Throws<OnnxFormatException>(() => OnnxReader.Parse(Model(Tensor("w", [2, 3], floats: [1f, 2f])), "short.onnx"));
        Assert.Contains("needs 6", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<OnnxFormatException>(() => OnnxReader.Parse(Model(Tensor("w", [2, 3], raw: new byte[20])), "short.onnx"));
        Assert.Contains("needs 24", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_PackedUnpackedAndRawFloats_AllRead()
    {
        var raw = new byte[8];
        BitConverter.TryWriteBytes(raw.AsSpan(0, 4), 1.5f);
        BitConverter.TryWriteBytes(raw.AsSpan(4, 4), -2.5f);
        var model = OnnxReader.Parse(Model(Tensor("a", [2], floats: [1.5f, -2.5f]), Tensor("b", [2], raw: raw), Tensor("c", [2], unpacked: [1.5f, -2.5f])), "ok.onnx");
        foreach (var name in new[] { "a", "b", "c" })
        {
            Assert.Equal([1.5f, -2.5f], model.Initializers[name].Data);
        }
    }

    private static byte[] Model(params byte[][] initializers)
    {
        var graph = Message(o =>
        {
            foreach (var t in initializers)
            {
                o.WriteTag(5, WireFormat.WireType.LengthDelimited);
                o.WriteBytes(ByteString.CopyFrom(t));
            }
        });
        return Message(o =>
        {
            o.WriteTag(1, WireFormat.WireType.Varint);
            o.WriteInt64(3);
            o.WriteTag(7, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(ByteString.CopyFrom(graph));
        });
    }

    private static byte[] Tensor(string name, long[] dims, float[]? floats = null, byte[]? raw = null, float[]? unpacked = null) => Message(o =>
    {
        foreach (var d in dims)
        {
            o.WriteTag(1, WireFormat.WireType.Varint);
            o.WriteInt64(d);
        }

        o.WriteTag(2, WireFormat.WireType.Varint);
        o.WriteInt32(1);
        if (floats is not null)
        {
            o.WriteTag(4, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(floats.AsSpan())));
        }

        foreach (var f in unpacked ?? [])
        {
            o.WriteTag(4, WireFormat.WireType.Fixed32);
            o.WriteFloat(f);
        }

        o.WriteTag(8, WireFormat.WireType.LengthDelimited);
        o.WriteString(name);
        if (raw is not null)
        {
            o.WriteTag(9, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(ByteString.CopyFrom(raw));
        }
    });

    private static byte[] Message(Action<CodedOutputStream> write)
    {
        using var stream = new MemoryStream();
        using (var output = new CodedOutputStream(stream, leaveOpen: true))
        {
            write(output);
        }

        return stream.ToArray();
    }
}
