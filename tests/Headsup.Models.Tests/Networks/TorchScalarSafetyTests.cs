using System.Reflection;
using System.Reflection.Emit;
using Headsup.Explain;
using Headsup.Models.Networks;
using Headsup.Training;
using Headsup.Triage;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Headsup.Models.Tests.Networks;

/// <summary>
/// No code of ours hands libtorch a temporary TorchSharp <see cref="Scalar"/> (see <see cref="TorchScalars"/>: the
/// finaliser can free it while the native call reads it; it crashed <c>detect</c> in CI with "Unknown scalar type").
/// The check reads the IL of every method in every Headsup assembly that references TorchSharp and flags a call that
/// converts a number to a Scalar implicitly, creates one with <c>ToScalar</c> without disposing it in the same method
/// (static constructors excepted: statics are never finalised), or calls a TorchSharp method that does so itself
/// (e.g. <c>Tensor.add(Tensor)</c>, which passes <c>alpha = 1</c> as a temporary).
/// </summary>
public sealed class TorchScalarSafetyTests
{
    [Fact]
    public void Assemblies_ThatUseTorch_CreateNoTemporaryScalars()
    {
        var scanned = TorchAssemblies().ToList();
        Assert.Superset(
            new HashSet<string>(StringComparer.Ordinal) { "Headsup.Models", "Headsup.Explain", "Headsup.Triage", "Headsup.Training" },
            scanned.Select(a => a.GetName().Name!).ToHashSet(StringComparer.Ordinal));

        var scan = new ScalarScan();
        var findings = scanned.SelectMany(scan.Findings).ToList();
        Assert.True(findings.Count == 0, "temporary TorchSharp Scalars (use TorchScalars or a `using` Scalar):\n" + string.Join('\n', findings));
        Assert.Empty(scan.Unresolved);
        Assert.True(scan.MethodsRead > 500, $"only {scan.MethodsRead} method bodies read");
    }

    [Fact]
    public void Scan_FlagsEachKindOfTemporaryScalar_AndPassesTheSafeForms()
    {
        var scan = new ScalarScan();
        var flagged = scan.Findings(typeof(Hazards)).Select(f => f.Split(" calls ")[0]).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(
            new HashSet<string>(StringComparer.Ordinal) { "Hazards.TimesLiteral", "Hazards.AddTensor", "Hazards.PlusOperator", "Hazards.UndisposedToScalar", "Hazards.FullLikeNumber" },
            flagged);
    }

    /// <summary>Headsup.* assemblies reachable from the training assembly (the top of the torch side) that reference TorchSharp.</summary>
    private static IEnumerable<Assembly> TorchAssemblies()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<Assembly>([typeof(Trainer).Assembly, typeof(IntegratedGradients).Assembly, typeof(SeriesScorer).Assembly, typeof(TorchScalars).Assembly]);
        while (pending.Count > 0)
        {
            var assembly = pending.Pop();
            if (!seen.Add(assembly.GetName().Name!))
            {
                continue;
            }

            var references = assembly.GetReferencedAssemblies();
            if (references.Any(r => r.Name == "TorchSharp"))
            {
                yield return assembly;
            }

            foreach (var reference in references.Where(r => r.Name!.StartsWith("Headsup.", StringComparison.Ordinal)))
            {
                pending.Push(Assembly.Load(reference));
            }
        }
    }

    /// <summary>Reads method bodies' call instructions; memoises which TorchSharp methods create temporary Scalars.</summary>
    private sealed class ScalarScan
    {
        private const BindingFlags Declared = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        private const int TorchDepth = 4;
        private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

        private readonly Dictionary<MethodBase, bool> _torchUnsafe = [];

        public int MethodsRead { get; private set; }

        public List<string> Unresolved { get; } = [];

        public IEnumerable<string> Findings(Assembly assembly) => assembly.GetTypes().SelectMany(Findings);

        public IEnumerable<string> Findings(Type type)
        {
            foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
            {
                var callees = Callees(method, ours: true).ToList();
                bool disposesAScalar = DisposesAScalar(method, callees);
                foreach (var callee in callees.Distinct())
                {
                    string? why = IsImplicitScalar(callee) ? "an implicit number → Scalar conversion"
                        : IsToScalar(callee) && !disposesAScalar && method is not ConstructorInfo { IsStatic: true } ? "ToScalar without disposing the Scalar in the same method"
                        : !IsToScalar(callee) && IsTorchUnsafe(callee, 0) ? "a TorchSharp method that passes a temporary Scalar to libtorch"
                        : null;
                    if (why is not null)
                    {
                        yield return $"{type.Name}.{method.Name} calls {callee.DeclaringType?.Name}.{callee} ({why})";
                    }
                }
            }
        }

        private static bool IsImplicitScalar(MethodBase m) => m.DeclaringType == typeof(Scalar) && m.Name == "op_Implicit";

        private static bool IsToScalar(MethodBase m) => m.Name == "ToScalar" && m is MethodInfo { ReturnType: var r } && r == typeof(Scalar);

        private static bool IsScalarDispose(MethodBase m) => m.DeclaringType == typeof(Scalar) && m.Name == "Dispose";

        /// <summary>Scalar.Dispose directly, or IDisposable.Dispose with a Scalar local (what `using var s = x.ToScalar()` compiles to).</summary>
        private static bool DisposesAScalar(MethodBase method, List<MethodBase> callees) =>
            callees.Any(IsScalarDispose)
            || (callees.Any(c => c.DeclaringType == typeof(IDisposable) && c.Name == "Dispose")
                && method.GetMethodBody()!.LocalVariables.Any(l => l.LocalType == typeof(Scalar)));

        private bool IsTorchUnsafe(MethodBase method, int depth)
        {
            if (method.DeclaringType?.Assembly != typeof(Scalar).Assembly || IsScalarDispose(method))
            {
                return false;
            }

            if (_torchUnsafe.TryGetValue(method, out bool known))
            {
                return known;
            }

            _torchUnsafe[method] = false;
            var callees = Callees(method, ours: false).ToList();
            bool creates = callees.Any(c => IsImplicitScalar(c) || IsToScalar(c));
            bool result = (creates && !DisposesAScalar(method, callees))
                || (depth < TorchDepth && callees.Any(c => !IsImplicitScalar(c) && !IsToScalar(c) && IsTorchUnsafe(c, depth + 1)));
            _torchUnsafe[method] = result;
            return result;
        }

        private IEnumerable<MethodBase> Callees(MethodBase method, bool ours)
        {
            byte[]? il = method.GetMethodBody()?.GetILAsByteArray();
            if (il is null)
            {
                yield break;
            }

            if (ours)
            {
                MethodsRead++;
            }

            int i = 0;
            while (i < il.Length)
            {
                short value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
                i += il[i] == 0xFE ? 2 : 1;
                var op = OpCodesByValue[value];
                int operandSize = op.OperandType switch
                {
                    OperandType.InlineNone => 0,
                    OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                    OperandType.InlineVar => 2,
                    OperandType.InlineI8 or OperandType.InlineR => 8,
                    OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, i)),
                    _ => 4,
                };
                if (op.OperandType == OperandType.InlineMethod)
                {
                    int token = BitConverter.ToInt32(il, i);
                    MethodBase? callee = null;
                    try
                    {
                        callee = method.Module.ResolveMethod(
                            token,
                            method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null,
                            method is MethodInfo { IsGenericMethod: true } g ? g.GetGenericArguments() : null);
                    }
                    catch (Exception e) when (e is ArgumentException or BadImageFormatException or TypeLoadException or FileNotFoundException or FileLoadException)
                    {
                        if (ours)
                        {
                            Unresolved.Add($"{method.DeclaringType?.FullName}.{method.Name}: token 0x{token:x8}: {e.Message}");
                        }
                    }

                    if (callee is not null)
                    {
                        yield return callee;
                    }
                }

                i += operandSize;
            }
        }
    }

    /// <summary>One method per hazard the scan must flag, and the safe forms it must pass (never run).</summary>
    private static class Hazards
    {
        private static readonly Scalar Two = 2.ToScalar();

        public static Tensor TimesLiteral(Tensor x) => x * 2.0;

        public static Tensor AddTensor(Tensor x, Tensor y) => x.add(y);

        public static Tensor PlusOperator(Tensor x, Tensor y) => x + y;

        public static Tensor UndisposedToScalar(Tensor x) => x.mul(3.0.ToScalar());

        public static Tensor FullLikeNumber(Tensor x) => full_like(x, 0.5f);

        public static Tensor SafeStatic(Tensor x) => x.mul(Two);

        public static Tensor SafeUsing(Tensor x)
        {
            using var three = 3.0.ToScalar();
            return x.mul(three);
        }

        public static Tensor SafeHelpers(Tensor x, Tensor y) => x.Plus(y).Times(2.0).PlusInPlace(y);

        public static Tensor SafeTensorOps(Tensor x, Tensor y) => (x * y) - y;
    }
}
