using TorchSharp;
using static TorchSharp.torch;

namespace Headsup.Models.Networks;

/// <summary>
/// Tensor arithmetic with numbers that never hands libtorch a Scalar the garbage collector may free mid-call.
/// <para>
/// TorchSharp's <see cref="Scalar"/> owns a native value and has a finalizer that deletes it; its methods read
/// <c>scalar.Handle</c> and call into libtorch without keeping the managed object alive. A temporary Scalar (an
/// implicit conversion such as <c>tensor * 255.0</c>, <c>full_like(t, 0.5f)</c>, <c>add_(t, alpha: w)</c>, and
/// TorchSharp's own <c>add(Tensor)</c>/<c>add_(Tensor)</c>/<c>+</c>, which pass <c>alpha = 1</c> as one) is
/// unreachable during that call, so a collection triggered by another thread can finalise it while libtorch reads
/// it: "Unknown scalar type. Exception raised from type at c10/core/Scalar.h" (seen in <c>detect</c> scoring studies
/// in parallel, and in a long training run), or silent use of freed memory. Here every Scalar is either a static
/// (rooted for the life of the process, never finalised) or held by a <c>using</c> until after the native call.
/// Headsup.Models.Tests' <c>TorchScalarSafetyTests</c> scans our assemblies' IL so that no new call site creates one
/// (docs/torchsharp-scalars.md).
/// </para>
/// <para>
/// TorchSharp's own AdamW step and BatchNorm forward (training mode) pass temporaries too: training uses
/// Headsup.Training's AdamWOptimizer, and our networks call <see cref="BatchNorms.Forward"/> instead of the BatchNorm
/// modules' forward.
/// </para>
/// </summary>
public static class TorchScalars
{
    /// <summary>1, for <c>alpha</c> of add/add_ (rooted: never finalised).</summary>
    public static readonly Scalar One = 1.ToScalar();

    /// <summary>x + y, element-wise (instead of <c>x + y</c> or <c>x.add(y)</c>).</summary>
    public static Tensor Plus(this Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.add(y, One);
    }

    /// <summary>x += y in place (instead of <c>x.add_(y)</c>).</summary>
    public static Tensor PlusInPlace(this Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.add_(y, One);
    }

    /// <summary>x += alpha · y in place.</summary>
    public static Tensor PlusScaledInPlace(this Tensor x, Tensor y, double alpha) => With(x, alpha, (t, a) => t.add_(y, a));

    /// <summary>x · factor, element-wise.</summary>
    public static Tensor Times(this Tensor x, double factor) => With(x, factor, (t, f) => t.mul(f));

    /// <summary>x / divisor, element-wise.</summary>
    public static Tensor DividedBy(this Tensor x, double divisor) => With(x, divisor, (t, d) => t.div(d));

    /// <summary>max(x, min), element-wise.</summary>
    public static Tensor ClampedBelow(this Tensor x, double min) => With(x, min, (t, lo) => t.clamp_min(lo));

    /// <summary>x clamped to [min, max].</summary>
    public static Tensor ClampedTo(this Tensor x, double min, double max) => With(x, max, (t, hi) => With(t, min, (u, lo) => u.clamp(lo, hi)));

    /// <summary>Fills x with value in place.</summary>
    public static Tensor FillWith(this Tensor x, double value) => With(x, value, (t, v) => t.fill_(v));

    /// <summary>A tensor shaped, typed and placed like <paramref name="like"/>, every element <paramref name="value"/>.</summary>
    public static Tensor FullLike(Tensor like, double value) => With(like, value, (t, v) => full_like(t, v));

    /// <summary>Runs <paramref name="operation"/> with <paramref name="value"/> as a Scalar held (and then freed) around the call.</summary>
    private static Tensor With(Tensor x, double value, Func<Tensor, Scalar, Tensor> operation)
    {
        ArgumentNullException.ThrowIfNull(x);
        using var scalar = value.ToScalar();
        return operation(x, scalar);
    }
}
