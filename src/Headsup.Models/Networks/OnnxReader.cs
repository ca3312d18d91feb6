using System.Runtime.InteropServices;
using System.Text;
using Google.Protobuf;

namespace Headsup.Models.Networks;

/// <summary>
/// A minimal ONNX reader over the protobuf wire format (onnx.proto, IR ≤ 10): ModelProto.graph (7) → GraphProto node (1),
/// initializer (5), input (11), output (12); NodeProto input (1), output (2), name (3), op_type (4), attribute (5);
/// AttributeProto name (1), f (2), i (3), s (4), floats (7), ints (8), type (20); TensorProto dims (1), data_type (2),
/// float_data (4), name (8), raw_data (9), data_location (14). Keeps float32 initializers only; unknown fields are skipped.
/// </summary>
public static class OnnxReader
{
    /// <summary>Largest initializer accepted, in elements (1 GiB of float32).</summary>
    public const long MaxTensorElements = 1L << 28;

    private const int FloatType = 1;
    private const int ExternalDataLocation = 1;

    /// <summary>Reads <paramref name="path"/>; throws <see cref="OnnxFormatException"/> (naming the file) when it is malformed.</summary>
    public static OnnxModel Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var bytes = File.ReadAllBytes(path);
        return Parse(bytes, path);
    }

    /// <summary>Parses ONNX bytes; <paramref name="path"/> names the source in error messages.</summary>
    public static OnnxModel Parse(byte[] bytes, string path)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        try
        {
            return ParseModel(new CodedInputStream(bytes), path);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new OnnxFormatException(path, "not a valid ONNX protobuf (" + ex.Message + ")", ex);
        }
        catch (InvalidDataException ex)
        {
            throw new OnnxFormatException(path, ex.Message, ex);
        }
    }

    private static OnnxModel ParseModel(CodedInputStream input, string path)
    {
        long irVersion = 0;
        string producer = string.Empty;
        bool sawGraph = false;
        var nodes = new List<OnnxNode>();
        var initializers = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
        var inputs = new List<OnnxValueInfo>();
        var outputs = new List<OnnxValueInfo>();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    Expect(tag, WireFormat.WireType.Varint, "ModelProto.ir_version");
                    irVersion = input.ReadInt64();
                    break;
                case 2:
                    Expect(tag, WireFormat.WireType.LengthDelimited, "ModelProto.producer_name");
                    producer = input.ReadString();
                    break;
                case 7:
                    Expect(tag, WireFormat.WireType.LengthDelimited, "ModelProto.graph");
                    ParseGraph(input.ReadBytes().CreateCodedInput(), nodes, initializers, inputs, outputs);
                    sawGraph = true;
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        if (!sawGraph)
        {
            throw new InvalidDataException("no graph (ModelProto field 7) in the file");
        }

        return new OnnxModel(path, irVersion, producer, nodes, initializers, inputs, outputs);
    }

    private static void ParseGraph(
        CodedInputStream input,
        List<OnnxNode> nodes,
        Dictionary<string, OnnxTensor> initializers,
        List<OnnxValueInfo> inputs,
        List<OnnxValueInfo> outputs)
    {
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    Expect(tag, WireFormat.WireType.LengthDelimited, "GraphProto.node");
                    nodes.Add(ParseNode(input.ReadBytes().CreateCodedInput()));
                    break;
                case 5:
                    Expect(tag, WireFormat.WireType.LengthDelimited, "GraphProto.initializer");
                    var tensor = ParseTensor(input.ReadBytes().CreateCodedInput());
                    if (tensor is not null && !initializers.TryAdd(tensor.Name, tensor))
                    {
                        throw new InvalidDataException($"initializer {tensor.Name} appears twice");
                    }

                    break;
                case 11:
                    Expect(tag, WireFormat.WireType.LengthDelimited, "GraphProto.input");
                    inputs.Add(ParseValueInfo(input.ReadBytes().CreateCodedInput()));
                    break;
                case 12:
                    Expect(tag, WireFormat.WireType.LengthDelimited, "GraphProto.output");
                    outputs.Add(ParseValueInfo(input.ReadBytes().CreateCodedInput()));
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }
    }

    private static OnnxNode ParseNode(CodedInputStream input)
    {
        var inputs = new List<string>();
        var outputs = new List<string>();
        string name = string.Empty;
        string opType = string.Empty;
        var attributes = new Dictionary<string, OnnxAttribute>(StringComparer.Ordinal);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    Expect(tag, WireFormat.WireType.LengthDelimited, "NodeProto.input");
                    inputs.Add(input.ReadString());
                    break;
                case 2:
                    Expect(tag, WireFormat.WireType.LengthDelimited, "NodeProto.output");
                    outputs.Add(input.ReadString());
                    break;
                case 3:
                    Expect(tag, WireFormat.WireType.LengthDelimited, "NodeProto.name");
                    name = input.ReadString();
                    break;
                case 4:
                    Expect(tag, WireFormat.WireType.LengthDelimited, "NodeProto.op_type");
                    opType = input.ReadString();
                    break;
                case 5:
                    Expect(tag, WireFormat.WireType.LengthDelimited, "NodeProto.attribute");
                    var attribute = ParseAttribute(input.ReadBytes().CreateCodedInput());
                    attributes[attribute.Name] = attribute;
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        if (opType.Length == 0)
        {
            throw new InvalidDataException($"node '{name}' has no op_type");
        }

        return new OnnxNode(name, opType, inputs, outputs, attributes);
    }

    private static OnnxAttribute ParseAttribute(CodedInputStream input)
    {
        string name = string.Empty;
        int type = 0;
        float f = 0;
        long i = 0;
        string s = string.Empty;
        var floats = new List<float>();
        var ints = new List<long>();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    Expect(tag, WireFormat.WireType.LengthDelimited, "AttributeProto.name");
                    name = input.ReadString();
                    break;
                case 2:
                    Expect(tag, WireFormat.WireType.Fixed32, "AttributeProto.f");
                    f = input.ReadFloat();
                    break;
                case 3:
                    Expect(tag, WireFormat.WireType.Varint, "AttributeProto.i");
                    i = input.ReadInt64();
                    break;
                case 4:
                    Expect(tag, WireFormat.WireType.LengthDelimited, "AttributeProto.s");
                    s = Encoding.UTF8.GetString(input.ReadBytes().Span);
                    break;
                case 7:
                    ReadFloats(input, tag, floats, "AttributeProto.floats");
                    break;
                case 8:
                    ReadInt64s(input, tag, ints, "AttributeProto.ints");
                    break;
                case 20:
                    Expect(tag, WireFormat.WireType.Varint, "AttributeProto.type");
                    type = input.ReadInt32();
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return new OnnxAttribute(name, type, f, i, s, floats, ints);
    }

    private static OnnxTensor? ParseTensor(CodedInputStream input)
    {
        var dims = new List<long>();
        int dataType = 0;
        string name = string.Empty;
        var floatData = new List<float>();
        float[]? packedFloats = null;
        ByteString? raw = null;
        long location = 0;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    ReadInt64s(input, tag, dims, "TensorProto.dims");
                    break;
                case 2:
                    Expect(tag, WireFormat.WireType.Varint, "TensorProto.data_type");
                    dataType = input.ReadInt32();
                    break;
                case 4:
                    if (WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited && packedFloats is null && floatData.Count == 0)
                    {
                        // The usual packed encoding: one block of little-endian floats, converted without a per-value loop.
                        var block = input.ReadBytes();
                        if (block.Length % 4 != 0)
                        {
                            throw new InvalidDataException("TensorProto.float_data: packed length is not a multiple of 4");
                        }

                        packedFloats = MemoryMarshal.Cast<byte, float>(block.Span).ToArray();
                    }
                    else
                    {
                        if (packedFloats is not null)
                        {
                            floatData.AddRange(packedFloats);
                            packedFloats = null;
                        }

                        ReadFloats(input, tag, floatData, "TensorProto.float_data");
                    }

                    break;
                case 8:
                    Expect(tag, WireFormat.WireType.LengthDelimited, "TensorProto.name");
                    name = input.ReadString();
                    break;
                case 9:
                    Expect(tag, WireFormat.WireType.LengthDelimited, "TensorProto.raw_data");
                    raw = input.ReadBytes();
                    break;
                case 14:
                    Expect(tag, WireFormat.WireType.Varint, "TensorProto.data_location");
                    location = input.ReadInt64();
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        long count = 1;
        foreach (var d in dims)
        {
            if (d < 0 || d > MaxTensorElements)
            {
                throw new InvalidDataException($"initializer {name}: dimension {d} is out of range");
            }

            count *= d;
            if (count > MaxTensorElements)
            {
                throw new InvalidDataException($"initializer {name}: {string.Join('×', dims)} exceeds {MaxTensorElements} elements");
            }
        }

        if (dataType != FloatType)
        {
            return null;
        }

        if (location == ExternalDataLocation)
        {
            throw new InvalidDataException($"initializer {name}: external data is not supported");
        }

        float[] data;
        if (raw is not null && raw.Length > 0)
        {
            if (raw.Length != count * sizeof(float))
            {
                throw new InvalidDataException($"initializer {name}: raw_data holds {raw.Length} bytes, shape {string.Join('×', dims)} needs {count * sizeof(float)}");
            }

            data = MemoryMarshal.Cast<byte, float>(raw.Span).ToArray();
        }
        else
        {
            data = packedFloats ?? [.. floatData];
            if (data.Length != count)
            {
                throw new InvalidDataException($"initializer {name}: float_data holds {data.Length} values, shape {string.Join('×', dims)} needs {count}");
            }
        }

        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ONNX float data is little-endian; big-endian hosts are not supported");
        }

        return new OnnxTensor(name, dims, data);
    }

    private static OnnxValueInfo ParseValueInfo(CodedInputStream input)
    {
        string name = string.Empty;
        int elementType = 0;
        var shape = new List<long>();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    Expect(tag, WireFormat.WireType.LengthDelimited, "ValueInfoProto.name");
                    name = input.ReadString();
                    break;
                case 2:
                    Expect(tag, WireFormat.WireType.LengthDelimited, "ValueInfoProto.type");
                    elementType = ParseTypeProto(input.ReadBytes().CreateCodedInput(), shape);
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return new OnnxValueInfo(name, elementType, shape);
    }

    // TypeProto.tensor_type (1) → Tensor.elem_type (1), shape (2) → TensorShapeProto.dim (1) → dim_value (1) / dim_param (2).
    private static int ParseTypeProto(CodedInputStream input, List<long> shape)
    {
        int elementType = 0;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) != 1 || WireFormat.GetTagWireType(tag) != WireFormat.WireType.LengthDelimited)
            {
                input.SkipLastField();
                continue;
            }

            var tensorType = input.ReadBytes().CreateCodedInput();
            uint inner;
            while ((inner = tensorType.ReadTag()) != 0)
            {
                switch (WireFormat.GetTagFieldNumber(inner))
                {
                    case 1:
                        Expect(inner, WireFormat.WireType.Varint, "TypeProto.Tensor.elem_type");
                        elementType = tensorType.ReadInt32();
                        break;
                    case 2:
                        Expect(inner, WireFormat.WireType.LengthDelimited, "TypeProto.Tensor.shape");
                        ParseShape(tensorType.ReadBytes().CreateCodedInput(), shape);
                        break;
                    default:
                        tensorType.SkipLastField();
                        break;
                }
            }
        }

        return elementType;
    }

    private static void ParseShape(CodedInputStream input, List<long> shape)
    {
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) != 1 || WireFormat.GetTagWireType(tag) != WireFormat.WireType.LengthDelimited)
            {
                input.SkipLastField();
                continue;
            }

            var dim = input.ReadBytes().CreateCodedInput();
            long value = -1;
            uint inner;
            while ((inner = dim.ReadTag()) != 0)
            {
                if (WireFormat.GetTagFieldNumber(inner) == 1 && WireFormat.GetTagWireType(inner) == WireFormat.WireType.Varint)
                {
                    value = dim.ReadInt64();
                }
                else
                {
                    dim.SkipLastField();
                }
            }

            shape.Add(value);
        }
    }

    private static void ReadFloats(CodedInputStream input, uint tag, List<float> target, string field)
    {
        switch (WireFormat.GetTagWireType(tag))
        {
            case WireFormat.WireType.Fixed32:
                target.Add(input.ReadFloat());
                break;
            case WireFormat.WireType.LengthDelimited:
                var block = input.ReadBytes();
                if (block.Length % 4 != 0)
                {
                    throw new InvalidDataException($"{field}: packed length is not a multiple of 4");
                }

                target.AddRange(MemoryMarshal.Cast<byte, float>(block.Span));
                break;
            default:
                throw new InvalidDataException($"{field}: unexpected wire type {WireFormat.GetTagWireType(tag)}");
        }
    }

    private static void ReadInt64s(CodedInputStream input, uint tag, List<long> target, string field)
    {
        switch (WireFormat.GetTagWireType(tag))
        {
            case WireFormat.WireType.Varint:
                target.Add(input.ReadInt64());
                break;
            case WireFormat.WireType.LengthDelimited:
                var packed = input.ReadBytes().CreateCodedInput();
                while (!packed.IsAtEnd)
                {
                    target.Add(packed.ReadInt64());
                    if (target.Count > 1 << 20)
                    {
                        throw new InvalidDataException($"{field}: more than {1 << 20} values");
                    }
                }

                break;
            default:
                throw new InvalidDataException($"{field}: unexpected wire type {WireFormat.GetTagWireType(tag)}");
        }
    }

    private static void Expect(uint tag, WireFormat.WireType wireType, string field)
    {
        if (WireFormat.GetTagWireType(tag) != wireType)
        {
            throw new InvalidDataException($"{field}: wire type {WireFormat.GetTagWireType(tag)}, expected {wireType}");
        }
    }
}
