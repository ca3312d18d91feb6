namespace Headsup.Models.Networks;

/// <summary>Thrown when an ONNX file cannot be read: malformed protobuf, unsupported content or absurd sizes.</summary>
public sealed class OnnxFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public OnnxFormatException()
        : this("ONNX file is malformed")
    {
    }

    /// <summary>Creates the exception.</summary>
    public OnnxFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public OnnxFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for <paramref name="path"/>; the message starts with the path.</summary>
    public OnnxFormatException(string path, string message, Exception? innerException = null)
        : base($"{path}: {message}", innerException)
    {
        FilePath = path;
    }

    /// <summary>The file that failed to read, when known.</summary>
    public string? FilePath { get; }
}

/// <summary>An ONNX model as far as this reader understands it: the main graph's nodes, float initializers and I/O.</summary>
public sealed class OnnxModel
{
    internal OnnxModel(
        string path,
        long irVersion,
        string producerName,
        IReadOnlyList<OnnxNode> nodes,
        IReadOnlyDictionary<string, OnnxTensor> initializers,
        IReadOnlyList<OnnxValueInfo> inputs,
        IReadOnlyList<OnnxValueInfo> outputs)
    {
        Path = path;
        IrVersion = irVersion;
        ProducerName = producerName;
        Nodes = nodes;
        Initializers = initializers;
        Inputs = inputs;
        Outputs = outputs;
    }

    /// <summary>The file the model was read from.</summary>
    public string Path { get; }

    /// <summary>ModelProto.ir_version.</summary>
    public long IrVersion { get; }

    /// <summary>ModelProto.producer_name (e.g. "CNTK").</summary>
    public string ProducerName { get; }

    /// <summary>The graph's nodes in file (topological) order.</summary>
    public IReadOnlyList<OnnxNode> Nodes { get; }

    /// <summary>Float32 initializers by name (initializers of other element types are not kept).</summary>
    public IReadOnlyDictionary<string, OnnxTensor> Initializers { get; }

    /// <summary>Graph inputs (may include initializer names in old IR versions).</summary>
    public IReadOnlyList<OnnxValueInfo> Inputs { get; }

    /// <summary>Graph outputs.</summary>
    public IReadOnlyList<OnnxValueInfo> Outputs { get; }
}

/// <summary>One NodeProto.</summary>
/// <param name="Name">Node name.</param>
/// <param name="OpType">Operator, e.g. "Conv".</param>
/// <param name="Inputs">Input value names.</param>
/// <param name="Outputs">Output value names.</param>
/// <param name="Attributes">Attributes by name.</param>
public sealed record OnnxNode(
    string Name,
    string OpType,
    IReadOnlyList<string> Inputs,
    IReadOnlyList<string> Outputs,
    IReadOnlyDictionary<string, OnnxAttribute> Attributes)
{
    /// <summary>The INTS attribute <paramref name="name"/>, or <paramref name="fallback"/> when absent.</summary>
    public IReadOnlyList<long> Ints(string name, IReadOnlyList<long> fallback) =>
        Attributes.TryGetValue(name, out var a) ? a.Ints : fallback;

    /// <summary>The INT attribute <paramref name="name"/>, or <paramref name="fallback"/> when absent.</summary>
    public long Int(string name, long fallback) => Attributes.TryGetValue(name, out var a) ? a.Int : fallback;

    /// <summary>The FLOAT attribute <paramref name="name"/>, or <paramref name="fallback"/> when absent.</summary>
    public float Float(string name, float fallback) => Attributes.TryGetValue(name, out var a) ? a.Float : fallback;
}

/// <summary>One AttributeProto (scalar, string and list fields; tensor/graph values are skipped).</summary>
/// <param name="Name">Attribute name.</param>
/// <param name="Type">AttributeProto.AttributeType (1 FLOAT, 2 INT, 3 STRING, 6 FLOATS, 7 INTS, ...).</param>
/// <param name="Float">Field f.</param>
/// <param name="Int">Field i.</param>
/// <param name="String">Field s as UTF-8.</param>
/// <param name="Floats">Field floats.</param>
/// <param name="Ints">Field ints.</param>
public sealed record OnnxAttribute(
    string Name,
    int Type,
    float Float,
    long Int,
    string String,
    IReadOnlyList<float> Floats,
    IReadOnlyList<long> Ints);

/// <summary>A float32 TensorProto with its data.</summary>
/// <param name="Name">Tensor name.</param>
/// <param name="Dims">Shape.</param>
/// <param name="Data">Values in C order.</param>
public sealed record OnnxTensor(string Name, IReadOnlyList<long> Dims, float[] Data);

/// <summary>One ValueInfoProto: name, element type and shape (a dimension is -1 when symbolic or absent).</summary>
/// <param name="Name">Value name.</param>
/// <param name="ElementType">TensorProto.DataType (1 = FLOAT), 0 when absent.</param>
/// <param name="Shape">Dimensions.</param>
public sealed record OnnxValueInfo(string Name, int ElementType, IReadOnlyList<long> Shape);
