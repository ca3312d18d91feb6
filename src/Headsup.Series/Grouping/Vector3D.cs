namespace Headsup.Series.Grouping;

/// <summary>A vector or point in the patient coordinate system (LPS, millimetres for positions).</summary>
public readonly record struct Vector3D(double X, double Y, double Z)
{
    /// <summary>The patient Z axis (towards the head).</summary>
    public static readonly Vector3D UnitZ = new(0, 0, 1);

    /// <summary>The Euclidean length.</summary>
    public double Length => Math.Sqrt(Dot(this));

    /// <summary>The dot product.</summary>
    public double Dot(Vector3D other) => X * other.X + Y * other.Y + Z * other.Z;

    /// <summary>The cross product (this × other).</summary>
    public Vector3D Cross(Vector3D other) =>
        new(Y * other.Z - Z * other.Y, Z * other.X - X * other.Z, X * other.Y - Y * other.X);

    /// <summary>The vector scaled to unit length (the zero vector stays zero).</summary>
    public Vector3D Normalized()
    {
        double length = Length;
        return length > 0 ? new Vector3D(X / length, Y / length, Z / length) : this;
    }

    /// <summary>The angle to another direction in degrees, 0..180.</summary>
    public double AngleDegreesTo(Vector3D other)
    {
        double denominator = Length * other.Length;
        if (denominator == 0)
        {
            return 0;
        }

        double cosine = Math.Clamp(Dot(other) / denominator, -1, 1);
        return Math.Acos(cosine) * 180 / Math.PI;
    }

    /// <summary>The angle to a line (either sense) in degrees, 0..90.</summary>
    public double LineAngleDegreesTo(Vector3D other)
    {
        double angle = AngleDegreesTo(other);
        return Math.Min(angle, 180 - angle);
    }

    /// <summary>Component-wise difference.</summary>
    public static Vector3D operator -(Vector3D a, Vector3D b) => new(a.X - b.X, a.Y - b.Y, a.Z - b.Z);

    /// <summary>Component-wise sum.</summary>
    public static Vector3D operator +(Vector3D a, Vector3D b) => new(a.X + b.X, a.Y + b.Y, a.Z + b.Z);

    /// <summary>Component-wise difference (named alternative to the operator).</summary>
    public static Vector3D Subtract(Vector3D a, Vector3D b) => a - b;

    /// <summary>Component-wise sum (named alternative to the operator).</summary>
    public static Vector3D Add(Vector3D a, Vector3D b) => a + b;

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"({X:0.###}, {Y:0.###}, {Z:0.###})");
}
